package archive

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Dir is an archive in a directory of files.
type Dir struct {
	root string
}

// NewDir returns the archive in dir, creating the directory if need be.
func NewDir(dir string) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &Dir{root: dir}, nil
}

// Put writes the run's file whole or not at all: to a temporary file that
// is synced, then renamed into place.
func (d *Dir) Put(_ context.Context, r *Record) error {
	if err := check(r); err != nil {
		return err
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	path := filepath.Join(d.root, filepath.FromSlash(key(r.Domain, *r.ExecutionInfo.Execution.WorkflowId, *r.ExecutionInfo.Execution.RunId)))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// Get reads a run's file.
func (d *Dir) Get(_ context.Context, domain, workflowID, runID string) (*Record, error) {
	data, err := os.ReadFile(filepath.Join(d.root, filepath.FromSlash(key(domain, workflowID, runID))))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r := &Record{}
	return r, json.Unmarshal(data, r)
}

// List walks the domain's directory (or the workflowId's) in key order.
func (d *Dir) List(_ context.Context, p ListParams) ([]Ref, string, error) {
	domainDir := filepath.Join(d.root, segment(p.Domain))
	var keys []string
	err := filepath.WalkDir(domainDir, func(path string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			return err
		}
		rel, err := filepath.Rel(domainDir, path)
		if err != nil {
			return err
		}
		keys = append(keys, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	slices.Sort(keys)
	return page(keys, p)
}

// page cuts a page out of sorted keys relative to the domain.
func page(keys []string, p ListParams) ([]Ref, string, error) {
	var refs []Ref
	var last string
	within := strings.TrimPrefix(listPrefix(p), segment(p.Domain)+"/")
	for _, k := range keys {
		if !strings.HasPrefix(k, within) || (p.After != "" && k <= p.After) {
			continue
		}
		ref, ok := refOf(k)
		if !ok {
			continue
		}
		if p.Limit > 0 && len(refs) == p.Limit {
			return refs, last, nil
		}
		refs = append(refs, ref)
		last = k
	}
	return refs, "", nil
}
