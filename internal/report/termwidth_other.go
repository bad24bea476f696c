//go:build !unix

package report

import "os"

func ttyColumns(*os.File) int { return 0 }
