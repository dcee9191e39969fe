# SPDX-License-Identifier: GPL-2.0
#
# ns per call against request size, log-log, one line per implementation,
# from the .dat file vgetrandom_bench -d writes (one thread), in the order
# it writes them: ours first (thick), the floor last (dashed).
#   gnuplot -e "datafile='bench.dat'; outfile='bench.svg'" vgetrandom_bench.gp
set terminal svg size 960,640 dynamic font 'sans,12'
set output outfile
set title 'getrandom() and its peers, one thread: median ns per call'
set logscale xy
set xrange [1:1048576]
set xtics ('1' 1, '4' 4, '16' 16, '64' 64, '256' 256, '1K' 1024, '4K' 4096, \
	   '16K' 16384, '64K' 65536, '1M' 1048576)
set format y '10^{%T}'
set xlabel 'request size (bytes)'
set ylabel 'ns per call'
set grid
set key outside right top
colors = '#d62728 #ff9896 #e377c2 #dbdb8d #7f7f7f #bcbd22 #9467bd #1f77b4 #17becf #393b79 #6b6ecf #2ca02c #98df8a #8c564b #c49c94 #000000 #ff7f0e'
do for [i=1:words(colors)] {
	set linetype i linecolor rgb word(colors, i) linewidth (i == 1 ? 3 : 1.5) \
		pointtype (i % 7 + 1) pointsize 0.6 dashtype 1
}
stats datafile using 1 nooutput
last = STATS_blocks - 1
set linetype (last + 1) dashtype 2 linewidth 2
plot for [i=0:last] datafile index i using 1:2 with linespoints linetype (i + 1) title columnheader(1)
