package swfapi

import (
	"context"
	"sort"
)

//go:generate go run ./gen -model ../../api/swf-2012-01-25.model.json -out zz_generated.go

// Input is the input shape of an operation: it validates itself, with the
// data sizes the limits allow (nil: Amazon SWF's).
type Input interface {
	Validate(limits *SizeLimits) error
}

// Operation describes one of the API's operations for the wire layer: how
// to make its input and how to invoke it on a Service.
type Operation struct {
	Name     string
	NewInput func() Input
	// NewOutput makes the output shape; nil for operations without one.
	NewOutput func() any
	// Call invokes the operation; its result is the output shape, or nil
	// for operations that have none.
	Call func(ctx context.Context, s Service, in Input) (any, error)
}

// LookupOperation finds an operation by name (RegisterDomain), or nil.
func LookupOperation(name string) *Operation {
	return operations[name]
}

// OperationNames lists the names of all operations, sorted.
func OperationNames() []string {
	names := make([]string, 0, len(operations))
	for n := range operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Ptr returns a pointer to a copy of v, for the optional members of shapes.
func Ptr[T any](v T) *T { return &v }

// Deref returns *p, or the zero value when p is nil.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
