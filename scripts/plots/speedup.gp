# speedup.gp — template: speedup over the serial baseline vs pool size.
# mpbench report fills the markers: TITLE, XAXIS (range, ticks, log scale),
# MARKS (usable-CPU line), YMAX, SERIES (one line per series with CI bars,
# the ceiling and fitted models when the results have them).
set title "@TITLE@" noenhanced
set xlabel "workers (pool size)"
set ylabel "speedup over the serial baseline (×)"
set grid xtics ytics lc rgb "#dddddd"
set key outside right top vertical Left reverse noenhanced samplen 3 spacing 1.2
set yrange [0:@YMAX@]
@XAXIS@
@MARKS@
plot x with lines dt 3 lw 1.5 lc rgb "black" title "ideal: speedup = workers", \
     @SERIES@
