//go:build unix

package main

import "flag"

var update = flag.Bool("update", false, "update testscript golden output")
