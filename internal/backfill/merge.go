package backfill

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/claimwatch/claimwatch/claims"

	"github.com/claimwatch/claimwatch/storage"
)

// Shard returns the inputs of shard k of n (0 ≤ k < n): those whose name,
// as given, hashes to k. Every shard must be given the same list.
func Shard(inputs []string, k, n int) []string {
	var out []string
	for _, in := range inputs {
		h := fnv.New32a()
		h.Write([]byte(in))
		if int(h.Sum32()%uint32(n)) == k {
			out = append(out, in)
		}
	}
	return out
}

// MergeStats count what Merge did.
type MergeStats struct {
	Articles, NewArticles, NewEvidence, Checkpoints int
}

// Merge saves every article of the input databases, with its evidence,
// into out: deduplicated by canonical URL and content hash and grouped
// into stories as any article is, so shards merged give the store one
// unsharded run gives. Checkpoints are kept (the furthest of each input).
// out must hold the claims the inputs' evidence names.
func Merge(ctx context.Context, out *storage.Store, inputs []string) (MergeStats, error) {
	var st MergeStats
	for _, path := range inputs {
		in, err := storage.OpenReadOnly(ctx, path)
		if err != nil {
			return st, fmt.Errorf("merge %s: %w", path, err)
		}
		err = in.EachArticle(ctx, func(a storage.Article, fs []claims.Finding) error {
			a.ID, a.StoryID = 0, 0
			res, err := out.SaveArticle(ctx, a, fs)
			if err != nil {
				return fmt.Errorf("article %s: %w", a.URL, err)
			}
			st.Articles++
			if res.New {
				st.NewArticles++
			}
			st.NewEvidence += res.NewEvidence
			return nil
		})
		if err == nil {
			err = mergeCheckpoints(ctx, in, out, &st)
		}
		in.Close()
		if err != nil {
			return st, fmt.Errorf("merge %s: %w", path, err)
		}
	}
	return st, nil
}

func mergeCheckpoints(ctx context.Context, in, out *storage.Store, st *MergeStats) error {
	cps, err := in.Checkpoints(ctx)
	if err != nil {
		return err
	}
	for _, cp := range cps {
		have, err := out.Checkpoint(ctx, cp.Input)
		if err != nil {
			return err
		}
		if have.Done || (!cp.Done && have.Offset >= cp.Offset && have.Records > 0) {
			continue
		}
		if err := out.SaveCheckpoint(ctx, cp); err != nil {
			return err
		}
		st.Checkpoints++
	}
	return nil
}
