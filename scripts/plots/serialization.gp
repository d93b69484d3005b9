# serialization.gp — template: serialization overhead vs task size, two panels:
# the codec share of pool capacity during the map, and codec time per task.
# mpbench report fills the markers: TITLE, XAXIS, XLABEL, UNIT and SCALE
# (ns per UNIT), YMAX1, YMAX2, SERIES_FRAC, SERIES_NS.
S = @SCALE@
set multiplot layout 1,2 title "@TITLE@" noenhanced
@XAXIS@
set xlabel '@XLABEL@' noenhanced
set grid lc rgb "#dddddd"
set key below vertical noenhanced samplen 3
set ylabel "codec share of pool capacity during the map (%)"
set yrange [0:@YMAX1@]
plot @SERIES_FRAC@
set ylabel "codec time per task, parent + workers (@UNIT@)"
set yrange [0:@YMAX2@]
plot @SERIES_NS@
unset multiplot
