package storage

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// BenchmarkSaveIdenticalTexts stores n articles whose texts are all the same
// (one wire story under many URLs and titles: one simhash, distinct content
// hashes) and n distinct ones, eight callers at a time as ingestion does.
// ns/item must stay flat from 10k to 50k: finding the story of an exact copy
// is an index lookup, not a sort of every earlier copy.
//
//	go test -run - -bench SaveIdenticalTexts -benchtime 1x ./storage
func BenchmarkSaveIdenticalTexts(b *testing.B) {
	for _, kind := range []string{"identical", "distinct"} {
		for _, n := range []int{10000, 50000} {
			b.Run(fmt.Sprintf("%s/items=%dk", kind, n/1000), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					s := openTest(b)
					b.StartTimer()
					saveMany(b, s, n, kind == "identical")
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*b.N), "ns/item")
			})
		}
	}
}

func saveMany(b *testing.B, s *Store, n int, identical bool) {
	ctx := context.Background()
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				a := article(i, t0)
				a.Text = longText
				if identical {
					a.SimHash = 0x5555aaaa3333cccc
				} else {
					a.Text = fmt.Sprintf("%d %s", i, longText)
				}
				if _, err := s.SaveArticle(ctx, a, nil); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}
