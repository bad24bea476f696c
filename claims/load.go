package claims

import (
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// namedFile is one claim file's name (as shown in problems) and content.
type namedFile struct {
	name string
	data []byte
}

// Shipped returns the embedded claim set. It fails only if a shipped file is
// broken, which the tests rule out.
func Shipped() ([]Claim, error) {
	files, probs := shipped()
	if len(probs) > 0 {
		return nil, probs
	}
	claims, _, err := load(files, nil)
	return claims, err
}

func shipped() ([]namedFile, Problems) {
	entries, err := fs.ReadDir(shippedFiles, shippedDir)
	if err != nil {
		return nil, Problems{{File: shippedDir, Message: fmt.Sprintf("cannot list the shipped claims: %v", err)}}
	}
	var files []namedFile
	for _, e := range entries {
		name := path.Join(shippedDir, e.Name())
		data, err := fs.ReadFile(shippedFiles, name)
		if err != nil {
			return nil, Problems{{File: name, Message: fmt.Sprintf("cannot read: %v", err)}}
		}
		files = append(files, namedFile{name, data})
	}
	return files, nil
}

// LoadFiles loads and validates claim files; a path that is a directory
// stands for its *.yaml and *.yml files. Problems include warnings. When any
// problem is an error, err is the Problems of the errors and no claim is
// returned: a half-loaded claim set would silently stop watching claims.
// Claims are sorted by id.
func LoadFiles(paths ...string) ([]Claim, Problems, error) {
	files, probs := readPaths(paths)
	return load(files, probs)
}

// LoadSet loads the shipped claims overlaid by the claim files (*.yaml,
// *.yml) of dir: a file whose name, less its extension, is that of a shipped
// file replaces it; any other file adds to the set. dir == "" means the
// shipped claims alone. Ids must be unique across the merged set. Like
// LoadFiles it is all-or-nothing.
func LoadSet(dir string) ([]Claim, Problems, error) {
	files, probs := shipped()
	if dir != "" {
		own, readProbs := readDir(dir, false)
		probs = append(probs, readProbs...)
		files = overlay(files, own)
	}
	return load(files, probs)
}

// overlay replaces files of base by same-named files of top and adds the rest.
func overlay(base, top []namedFile) []namedFile {
	out := make([]namedFile, 0, len(base)+len(top))
	replaced := make(map[string]bool, len(top))
	for _, f := range top {
		replaced[stem(f.name)] = true
	}
	for _, f := range base {
		if !replaced[stem(f.name)] {
			out = append(out, f)
		}
	}
	return append(out, top...)
}

// stem is a claim file's name without directory and extension, so that
// my-claim.yml in a claims directory replaces shipped my-claim.yaml.
func stem(name string) string {
	base := filepath.Base(name)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// load parses files, checks ids across them and applies all-or-nothing.
func load(files []namedFile, probs Problems) ([]Claim, Problems, error) {
	var all []parsed
	for _, f := range files {
		claims, ps := parse(f.name, f.data)
		probs = append(probs, ps...)
		all = append(all, claims...)
	}
	probs = append(probs, duplicateIDs(all)...)
	probs.sort()
	if errs := probs.Errors(); len(errs) > 0 {
		return nil, probs, errs
	}
	claims := make([]Claim, len(all))
	for i, pc := range all {
		claims[i] = pc.Claim
	}
	slices.SortFunc(claims, func(a, b Claim) int { return cmp.Compare(a.ID, b.ID) })
	return claims, probs, nil
}

// duplicateIDs reports every claim whose id an earlier claim already has,
// naming both places.
func duplicateIDs(claims []parsed) Problems {
	var probs Problems
	first := make(map[string]parsed, len(claims))
	for _, c := range claims {
		if prev, dup := first[c.ID]; dup {
			probs = append(probs, Problem{File: c.File, Line: c.idLine, Column: c.idColumn,
				Message: fmt.Sprintf("duplicate id %q: it is also the id of the claim at %s:%d:%d", c.ID, prev.File, prev.idLine, prev.idColumn)})
			continue
		}
		first[c.ID] = c
	}
	return probs
}

func readPaths(paths []string) ([]namedFile, Problems) {
	var files []namedFile
	var probs Problems
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			probs = append(probs, Problem{File: p, Message: fmt.Sprintf("cannot read claim file: %v", unwrapPath(err))})
			continue
		}
		if info.IsDir() {
			fs, ps := readDir(p, true)
			files, probs = append(files, fs...), append(probs, ps...)
			continue
		}
		f, pr := readFile(p)
		if pr != nil {
			probs = append(probs, *pr)
			continue
		}
		files = append(files, f)
	}
	return files, probs
}

// readDir reads the claim files of dir (not its subdirectories), in name
// order. Hidden files, such as editors' backups, are skipped. A directory
// named for checking must hold claim files; a claims directory overlaying the
// shipped set may be empty.
func readDir(dir string, requireFiles bool) ([]namedFile, Problems) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, Problems{{File: dir, Message: fmt.Sprintf("cannot read claims directory: %v", unwrapPath(err))}}
	}
	var files []namedFile
	var probs Problems
	for _, e := range entries {
		name := e.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if e.IsDir() || strings.HasPrefix(name, ".") || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		f, pr := readFile(filepath.Join(dir, name))
		if pr != nil {
			probs = append(probs, *pr)
			continue
		}
		files = append(files, f)
	}
	if requireFiles && len(files) == 0 && len(probs) == 0 {
		probs = append(probs, Problem{File: dir, Message: "directory holds no claim files (*.yaml or *.yml)"})
	}
	return files, probs
}

// readFile reads a claim file, refusing one over MaxFileSize before parsing
// (and without reading more than one byte past the limit).
func readFile(name string) (namedFile, *Problem) {
	f, err := os.Open(name)
	if err != nil {
		return namedFile{}, &Problem{File: name, Message: fmt.Sprintf("cannot read claim file: %v", unwrapPath(err))}
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() && info.Size() > MaxFileSize {
		return namedFile{}, &Problem{File: name, Message: fmt.Sprintf("file is %s; a claim file may be at most 1 MiB", sizeString(info.Size()))}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return namedFile{}, &Problem{File: name, Message: fmt.Sprintf("cannot read claim file: %v", unwrapPath(err))}
	}
	if len(data) > MaxFileSize {
		return namedFile{}, &Problem{File: name, Message: "file is over 1 MiB; a claim file may be at most 1 MiB"}
	}
	return namedFile{name, data}, nil
}

// unwrapPath drops the *PathError wrapper, whose path the Problem names already.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
