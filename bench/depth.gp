# Latency against depth, keyset against LIMIT/OFFSET (bench/run.sh):
#   gnuplot -e "data='depth.dat'; out='bench/depth.png'; rows=1000000" bench/depth.gp
# data: depth_rows pct api_ms keyset_sql_ms offset_sql_ms label
if (!exists("data")) data = 'depth.dat'
if (!exists("out")) out = 'bench/depth.png'

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 900,540 font ",11"
} else {
	set terminal png size 900,540
}
set output out

if (!exists("rows")) rows = 1000000
set title sprintf("GET /api/calls?limit=50, an organisation of %d calls: latency against depth", rows)
set xlabel "page position (% of the organisation's calls)"
set ylabel "median latency (ms, log scale)"
set logscale y
set format y "%g"
set xrange [-2:102]
set grid xtics ytics mytics
set key top left box opaque
set style data linespoints

plot data using 2:5 title "LIMIT 51 OFFSET n: SQL only" lw 2 pt 7 lc rgb "#c0392b", \
     data using 2:3 title "keyset: whole API request (HTTP, Apache)" lw 2 pt 5 lc rgb "#2471a3", \
     data using 2:4 title "keyset: SQL only" lw 2 pt 9 lc rgb "#27ae60"
