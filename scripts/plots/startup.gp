# startup.gp — template: start-up cost per worker by start method vs pool size.
# mpbench report fills the markers: TITLE, XAXIS, MARKS (usable-CPU line),
# UNIT and SCALE (ns per UNIT), YMAX, SERIES (one line per method, CI bars).
set title "@TITLE@" noenhanced
set xlabel "workers (pool size)"
set ylabel "start-up per worker, launch to ready (@UNIT@)"
set grid xtics ytics lc rgb "#dddddd"
set key outside right top vertical Left reverse noenhanced samplen 3 spacing 1.2
S = @SCALE@
set yrange [0:@YMAX@]
@XAXIS@
@MARKS@
plot @SERIES@
