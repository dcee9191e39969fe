// SPDX-License-Identifier: GPL-2.0
//
// vgetrandom_go - a Go program's own use of the vDSO getrandom(): Go 1.24's
// runtime looks up __vdso_getrandom (arm64: __kernel_getrandom), maps states
// as its parameter query says, one per thread, and serves crypto/rand from
// them.  Nothing here knows of the vDSO; vgetrandom_go_test runs this under
// ptrace, counts its getrandom system calls and says what to expect.
//
//	vgetrandom_go CALLS [droppable]
//
// Goroutines, each locked to a thread of its own (so that each has its own
// state), make CALLS crypto/rand.Read calls in all, of sizes from 1 byte to
// 4 KiB.  "droppable": the program's states must be MAP_DROPPABLE memory
// (VmFlags "dp" in /proc/self/smaps), as on a kernel with the vDSO function.
//
// Prints one "# vgr-go: ..." line (a TAP comment); exit status 0 if all went
// right, 2 bad usage, 3 a short read or error, 4 two threads' first bytes
// equal, 5 an all-zero read of 16 bytes or more, 6 no droppable memory
// though asked for, 7 /proc/self/smaps unreadable.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

const threads = 8

// Request sizes, in turn: the batch (small), the batch's end and the
// blocks made straight into the buffer (large).
var sizes = []int{16, 1, 4, 64, 256, 1000, 4096, 32}

type result struct {
	first [16]byte
	code  int
}

// calls makes n reads on a thread of its own and reports the first 16 bytes.
func calls(n int, res *result, wg *sync.WaitGroup) {
	defer wg.Done()
	runtime.LockOSThread()
	buf := make([]byte, 4096)
	zero := make([]byte, 4096)
	for i := 0; i < n; i++ {
		size := 16
		if i > 0 {
			size = sizes[i%len(sizes)]
		}
		b := buf[:size]
		got, err := rand.Read(b)
		if err != nil || got != size {
			res.code = 3
			return
		}
		if i == 0 {
			copy(res.first[:], b)
		}
		if size >= 16 && bytes.Equal(b, zero[:size]) {
			res.code = 5
			return
		}
	}
}

// droppableKB sums the sizes of the mappings whose VmFlags include "dp".
func droppableKB() (int, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	total, size := 0, 0
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) == 3 && fields[0] == "Size:" {
			size, _ = strconv.Atoi(fields[1])
		} else if len(fields) > 0 && fields[0] == "VmFlags:" {
			for _, flag := range fields[1:] {
				if flag == "dp" {
					total += size
				}
			}
		}
	}
	return total, s.Err()
}

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 ||
		(len(os.Args) == 3 && os.Args[2] != "droppable") {
		fmt.Fprintln(os.Stderr, "usage: vgetrandom_go CALLS [droppable]")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < threads {
		fmt.Fprintln(os.Stderr, "vgetrandom_go: CALLS: a number of at least", threads)
		os.Exit(2)
	}
	wantDroppable := len(os.Args) == 3

	var wg sync.WaitGroup
	res := make([]result, threads)
	for t := range res {
		wg.Add(1)
		go calls(n/threads, &res[t], &wg)
	}
	wg.Wait()

	code := 0
	for t := range res {
		if res[t].code != 0 && code == 0 {
			code = res[t].code
		}
		for u := 0; u < t; u++ {
			if res[t].first == res[u].first && code == 0 {
				code = 4
			}
		}
	}
	kb, err := droppableKB()
	if err != nil && code == 0 {
		code = 7
	}
	if wantDroppable && kb == 0 && code == 0 {
		code = 6
	}
	fmt.Printf("# vgr-go: %s %s/%s: %d crypto/rand.Read calls on %d threads, %d kB droppable, status %d\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, n/threads*threads, threads, kb, code)
	os.Exit(code)
}
