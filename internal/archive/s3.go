package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3 is an archive in an S3 bucket, under a prefix, on AWS or any
// S3-compatible service. It uses three calls: PutObject, GetObject and
// ListObjectsV2.
type S3 struct {
	client *s3.Client
	bucket string
	prefix string // "" or ending in "/"
}

// NewS3 returns the archive in bucket under prefix. Credentials and region
// come from the standard AWS chain (environment, shared files, instance
// roles); without a region us-east-1 is used. A non-empty endpoint is an
// S3-compatible service, addressed path-style.
func NewS3(ctx context.Context, bucket, prefix, endpoint string) (*S3, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
		// Checksums only where S3 requires them: many S3-compatible
		// services do not take the trailing checksums the SDK would add.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	if prefix != "" {
		prefix += "/"
	}
	return &S3{client: client, bucket: bucket, prefix: prefix}, nil
}

// Put writes the run's object.
func (a *S3) Put(ctx context.Context, r *Record) error {
	if err := check(r); err != nil {
		return err
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = a.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(a.bucket), Key: aws.String(a.prefix + key(r.Domain, *r.ExecutionInfo.Execution.WorkflowId, *r.ExecutionInfo.Execution.RunId)),
		Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data))), ContentType: aws.String("application/json"),
	})
	return err
}

// Get reads the run's object.
func (a *S3) Get(ctx context.Context, domain, workflowID, runID string) (*Record, error) {
	out, err := a.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(a.bucket), Key: aws.String(a.prefix + key(domain, workflowID, runID))})
	var missing *types.NoSuchKey
	if errors.As(err, &missing) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, err
	}
	r := &Record{}
	return r, json.Unmarshal(data, r)
}

// List lists the objects under the domain's (or workflowId's) prefix.
func (a *S3) List(ctx context.Context, p ListParams) ([]Ref, string, error) {
	domainPrefix := a.prefix + segment(p.Domain) + "/"
	in := &s3.ListObjectsV2Input{Bucket: aws.String(a.bucket), Prefix: aws.String(a.prefix + listPrefix(p))}
	if p.After != "" {
		in.StartAfter = aws.String(domainPrefix + p.After)
	}
	var keys []string
	for {
		out, err := a.client.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, "", err
		}
		for _, o := range out.Contents {
			if k := strings.TrimPrefix(aws.ToString(o.Key), domainPrefix); k != aws.ToString(o.Key) {
				if _, ok := refOf(k); ok {
					keys = append(keys, k)
				}
			}
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil || (p.Limit > 0 && len(keys) > p.Limit) {
			break
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	return page(keys, p)
}
