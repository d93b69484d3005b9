# ipc.gp — template: instructions per cycle vs pool size (hardware counters).
# mpbench report fills the markers: TITLE, XAXIS, MARKS (usable-CPU line),
# YMAX, SERIES.
set title "@TITLE@" noenhanced
set xlabel "workers (pool size)"
set ylabel "instructions per cycle"
set grid xtics ytics lc rgb "#dddddd"
set key outside right top vertical Left reverse noenhanced samplen 3 spacing 1.2
set yrange [0:@YMAX@]
@XAXIS@
@MARKS@
plot @SERIES@
