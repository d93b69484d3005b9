# efficiency.gp — template: parallel efficiency (speedup / workers) vs pool size.
# mpbench report fills the markers: TITLE, XAXIS, MARKS (usable-CPU line),
# YMAX, SERIES (one line per series with CI bars, ceiling, fitted models).
set title "@TITLE@" noenhanced
set xlabel "workers (pool size)"
set ylabel "efficiency: speedup / workers"
set grid xtics ytics lc rgb "#dddddd"
set key outside right top vertical Left reverse noenhanced samplen 3 spacing 1.2
set yrange [0:@YMAX@]
@XAXIS@
@MARKS@
plot 1 with lines dt 3 lw 1.5 lc rgb "black" title "ideal: efficiency = 1", \
     @SERIES@
