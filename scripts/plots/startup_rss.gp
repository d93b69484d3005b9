# startup_rss.gp — template: start-up cost per worker vs the memory the parent
# touched before starting the pool (--parent-rss).
# mpbench report fills the markers: TITLE, XAXIS (MiB), UNIT and SCALE
# (ns per UNIT), YMAX, SERIES (one line per method, CI bars).
set title "@TITLE@" noenhanced
set xlabel "parent memory touched before the pool starts (MiB)"
set ylabel "start-up per worker, launch to ready (@UNIT@)"
set grid xtics ytics lc rgb "#dddddd"
set key outside right top vertical Left reverse noenhanced samplen 3 spacing 1.2
S = @SCALE@
set yrange [0:@YMAX@]
@XAXIS@
plot @SERIES@
