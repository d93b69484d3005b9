# overhead.gp — template: where the pool's time goes, one stacked bar per point.
# Data columns (ns per task): 2 compute, 3 serialization, 4 transport and
# waiting, 5 start-up, 6 teardown, 7 outside any phase, 8 serial baseline
# per task.
# mpbench report fills the markers: TITLE, BLOCK (the data block of this
# panel), UNIT and SCALE (ns per UNIT), YMAX, XMAX (bars sit at x = 0, 1, ...),
# SHOWN (six words, 1 or 0: whether part k shows in this panel; a part too
# thin to see gets no key entry).
set title "@TITLE@" noenhanced
set ylabel "pool time per task (@UNIT@)"
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border rgb "#444444"
set boxwidth 0.7
set xtics rotate by 90 right nomirror noenhanced
set grid ytics lc rgb "#dddddd"
set key below horizontal Left reverse noenhanced samplen 2 spacing 1.2 maxcols 3
set yrange [0:@YMAX@]
set xrange [-0.6:@XMAX@]
S = @SCALE@
shown = "@SHOWN@"
key(k, t) = word(shown, k) eq "1" ? t : ""
plot 'overhead.dat' index @BLOCK@ using ($2/S):xtic(1) title key(1, "compute (task function)") lc rgb "#4878d0", \
     '' index @BLOCK@ using ($3/S) title key(2, "serialization (codec, parent + workers)") lc rgb "#ee854a", \
     '' index @BLOCK@ using ($4/S) title key(3, "transport and waiting") lc rgb "#6acc64", \
     '' index @BLOCK@ using ($5/S) title key(4, "start-up (workers × pool start-up)") lc rgb "#d65f5f", \
     '' index @BLOCK@ using ($6/S) title key(5, "teardown (workers × pool teardown)") lc rgb "#956cb4", \
     '' index @BLOCK@ using ($7/S) title key(6, "outside any phase (wall time in no phase)") lc rgb "#bbbbbb", \
     '' index @BLOCK@ using 0:($8/S) with points pt 7 ps 1.6 lc rgb "black" title "serial time per task"
