# floors.gp — template: a point's fixed costs per worker as multiples of the
# machine's floor for its method (machine.floors), vs pool size: start-up
# (solid) and teardown (dashed), the floor as a line at 1.
# mpbench report fills the markers: TITLE, XAXIS, MARKS (usable-CPU line),
# YMAX, SERIES.
set title "@TITLE@" noenhanced
set xlabel "workers (pool size)"
set ylabel "per worker, in multiples of the method's floor (×)"
set grid xtics ytics lc rgb "#dddddd"
set key outside right top vertical Left reverse noenhanced samplen 3 spacing 1.2
set yrange [0:@YMAX@]
@XAXIS@
@MARKS@
plot 1 with lines dt 3 lw 1.5 lc rgb "black" title "the floor: create + exit + wait", \
     @SERIES@
