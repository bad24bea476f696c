package web

import (
	"fmt"
	"strings"

	"github.com/claimwatch/claimwatch/storage"
)

// Charts are computed here and drawn by the templates as inline SVG: sizes
// and positions are attributes, colours come from CSS classes, so the
// Content-Security-Policy needs no inline style.

// sparkline is the weekly evidence count of a claim as an SVG polyline.
type sparkline struct {
	Width, Height int
	Points        string // "x,y x,y ..."
	Label         string // the counts in words, for screen readers
	Max           int
}

func newSparkline(rows []storage.TimelineRow) sparkline {
	const w, h, pad = 96, 24, 2
	sp := sparkline{Width: w, Height: h}
	for _, r := range rows {
		sp.Max = max(sp.Max, r.Supports+r.Contradicts+r.Mentions)
	}
	var pts, words []string
	for i, r := range rows {
		n := r.Supports + r.Contradicts + r.Mentions
		x := pad
		if len(rows) > 1 {
			x = pad + i*(w-2*pad)/(len(rows)-1)
		}
		y := h - pad
		if sp.Max > 0 {
			y = h - pad - n*(h-2*pad)/sp.Max
		}
		pts = append(pts, fmt.Sprintf("%d,%d", x, y))
		words = append(words, fmt.Sprint(n))
	}
	sp.Points = strings.Join(pts, " ")
	sp.Label = "Evidence per week over the last " + plural(len(rows), "week") + ", oldest first: " + strings.Join(words, ", ")
	return sp
}

// barChart is a timeline as stacked bars, one per period.
type barChart struct {
	Width, Height int
	Bars          []bar
	Peak          int
	AxisY         int // y of the baseline
	Labels        []axisLabel
}

type bar struct {
	X, W     int
	Period   string
	Total    int
	Segments []barSegment
}

type barSegment struct {
	Y, H  int
	Class string // supports | contradicts | mentions
	N     int
}

type axisLabel struct {
	X    int
	Text string
}

// newBarChart lays out rows in a chart width×height (plus room for labels).
func newBarChart(rows []storage.TimelineRow) barChart {
	const height, top, labelRoom = 160, 4, 18
	width := 640
	c := barChart{Width: width, Height: height + labelRoom, AxisY: height}
	for _, r := range rows {
		c.Peak = max(c.Peak, r.Supports+r.Contradicts+r.Mentions)
	}
	if len(rows) == 0 {
		return c
	}
	slot := max(1, width/len(rows))
	bw := max(1, slot*4/5)
	labelEvery := max(1, len(rows)/8)
	for i, r := range rows {
		b := bar{X: i * slot, W: bw, Period: r.Period, Total: r.Supports + r.Contradicts + r.Mentions}
		y := height
		for _, s := range []struct {
			n     int
			class string
		}{{r.Supports, "supports"}, {r.Contradicts, "contradicts"}, {r.Mentions, "mentions"}} {
			if s.n == 0 || c.Peak == 0 {
				continue
			}
			h := max(1, s.n*(height-top)/c.Peak)
			y -= h
			b.Segments = append(b.Segments, barSegment{Y: y, H: h, Class: s.class, N: s.n})
		}
		c.Bars = append(c.Bars, b)
		if i%labelEvery == 0 {
			c.Labels = append(c.Labels, axisLabel{X: i * slot, Text: r.Period})
		}
	}
	return c
}
