//go:build race

package iam

const raceEnabled = true
