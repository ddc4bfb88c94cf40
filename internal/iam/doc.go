// Package iam implements the AWS IAM identity-based policy language and its
// evaluation logic, so that openswf can authorize each API call against the
// policies an operator attached to an access key, with the outcome Amazon SWF
// users expect from IAM.
//
// The package is pure: it parses policy documents ([Parse], or JSON
// unmarshalling of a [Policy]), and answers authorization questions
// ([Evaluate]) for a [Request] made of an action, a resource ARN and a map of
// condition keys. It knows nothing of SWF beyond what the caller puts in the
// request; mapping SWF API calls (and the decisions inside
// RespondDecisionTaskCompleted, IAM's "pseudo API") to requests is the
// caller's job.
//
// What is implemented, following the IAM User Guide:
//
//   - The policy grammar: Version ("2012-10-17", "2008-10-17" or absent), Id,
//     Statement as an object or an array, Sid, Effect, Action/NotAction,
//     Resource/NotResource and Condition. Principal and NotPrincipal are
//     rejected, as IAM rejects them in identity-based policies.
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
//   - Action matching: case-insensitive, with * and ? wildcards.
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
//   - Resource matching: case-sensitive ARN globbing with * and ?, a * being
//     confined to its colon-delimited ARN segment unless it is the segment's
//     last character.
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
//   - Every condition operator family (String, Numeric, Date, Bool,
//     BinaryEquals, IpAddress, Arn, Null), the IfExists suffix and the
//     ForAnyValue:/ForAllValues: set prefixes.
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   - Policy variables (${aws:username}, defaults, ${*} ${?} ${$}) in
//     Resource/NotResource and in String, Arn and Bool condition values, for
//     Version "2012-10-17" only, as IAM does.
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
//   - The evaluation rule for identity-based policies of one account: an
//     explicit Deny in any applicable statement wins, otherwise an Allow in
//     any applicable statement allows, otherwise the request is implicitly
//     denied.
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//
// Policies are compiled when parsed (no regular expressions), evaluation
// only reads them, so one [Policy] can serve any number of goroutines, and
// evaluation does not allocate in the common case: it runs on every API
// call.
package iam
