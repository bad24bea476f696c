package claims

import "embed"

// shippedFiles are the claim files built into the binary: the predictions of
// the January 2020 Eurasia Review analysis of Russia–Iran relations.
//
//go:embed shipped/*.yaml
var shippedFiles embed.FS

// shippedDir is the directory of shippedFiles; shipped claims name their file
// "shipped/<id>.yaml" in Claim.File and in problems.
const shippedDir = "shipped"
