# ctxsw.gp — template: context switches of the workers per task vs pool size,
# voluntary (solid) and involuntary (dashed), from rusage.
# mpbench report fills the markers: TITLE, XAXIS, MARKS (usable-CPU line),
# YMAX, SERIES.
set title "@TITLE@" noenhanced
set xlabel "workers (pool size)"
set ylabel "context switches per task (all workers)"
set grid xtics ytics lc rgb "#dddddd"
set key outside right top vertical Left reverse noenhanced samplen 3 spacing 1.2
set yrange [0:@YMAX@]
@XAXIS@
@MARKS@
plot @SERIES@
