package fetch

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
)

// getFile serves a file:// URL with the same size cap as HTTP. A directory
// is an error: expanding directories into sources is the ingest layer's job.
func getFile(u *url.URL, req Request, maxBytes int64) (*Response, error) {
	if u.Host != "" && u.Host != "localhost" {
		return nil, fmt.Errorf("fetch %s: file URL names a remote host %q", req.URL, u.Host)
	}
	path := u.Path
	if path == "" {
		path = u.Opaque // file:relative/path
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("fetch %s: %s is a directory, not a file", req.URL, path)
	}
	lastMod := st.ModTime().UTC().Format(http.TimeFormat)
	if req.LastModified != "" && req.LastModified == lastMod {
		return &Response{URL: req.URL, Status: http.StatusNotModified, NotModified: true, LastModified: lastMod}, nil
	}
	if st.Size() > maxBytes {
		return nil, fmt.Errorf("fetch %s: %w: file is %d bytes, the limit is %d", req.URL, ErrTooLarge, st.Size(), maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	if int64(len(body)) > maxBytes { // the file grew while we read it
		return nil, fmt.Errorf("fetch %s: %w: file exceeds the limit of %d bytes", req.URL, ErrTooLarge, maxBytes)
	}
	return &Response{
		URL:          req.URL,
		Status:       http.StatusOK,
		Body:         body,
		ContentType:  mime.TypeByExtension(filepath.Ext(path)),
		LastModified: lastMod,
		Bytes:        int64(len(body)),
	}, nil
}
