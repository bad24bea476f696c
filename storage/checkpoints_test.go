package storage

import (
	"context"
	"testing"
)

func TestCheckpointRoundTrip(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	cp, err := s.Checkpoint(ctx, "a.warc.gz")
	if err != nil || cp.Offset != 0 || cp.Done || cp.Records != 0 {
		t.Fatalf("no checkpoint yet: %+v, %v", cp, err)
	}
	for _, want := range []Checkpoint{{Input: "a.warc.gz", Offset: 1234, Records: 7}, {Input: "a.warc.gz", Offset: 99999, Records: 70, Done: true}} {
		if err := s.SaveCheckpoint(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.Checkpoint(ctx, "a.warc.gz")
		if err != nil || got != want {
			t.Fatalf("got %+v (%v), want %+v", got, err, want)
		}
	}
	if other, _ := s.Checkpoint(ctx, "b.warc.gz"); other.Offset != 0 || other.Done {
		t.Fatalf("checkpoints leak between inputs: %+v", other)
	}
}
