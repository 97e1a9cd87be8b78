// Package vtl is API Gateway's mapping template language: the dialect of
// Apache Velocity (1.7) that REST and WebSocket APIs run for request and
// response templates, with API Gateway's variables ($input, $util,
// $context, $stageVariables). It is pure: no I/O.
//
// Parse a template once, when an API is loaded; Parse reports errors with
// the line and column inside the template (*Error), so the caller can
// offset them into its configuration file. Render it per request:
//
//	t, err := vtl.Parse(`{"name": "$input.path('$.name')"}`)
//	out, err := t.Render(&vtl.Data{Body: body, Params: params, Context: ctx})
//
// # Language
//
// Directives: #set (also on nested targets: #set($context.responseOverride.status = 400)),
// #if/#elseif/#else/#end, #foreach (with $foreach.hasNext, .index, .count,
// .first, .last, .parent and $velocityCount), #break, #stop, #define,
// #macro and calls #name(args), ## and #* *# comments, #[[ unparsed ]]#,
// formal #{end}. References $name, $!name, ${name}, $!{name} with
// properties ($map.key), indexes ($list[0], $map["k"]) and method calls.
// Literals: strings ('literal', "interpolated $ref"), integers, decimals,
// true, false, null, lists [1, "a"], ranges [1..3] and maps {"k": $v}.
// Operators: || or && and ! not == != < > <= >= eq ne lt gt le ge + - * / %.
// A "#word" that is no directive and no macro is text, as in Velocity;
// "\$ref" and "\#directive" print the reference or directive literally.
// Undefined references render as "" (API Gateway, not Velocity's echo).
//
// The Java methods templates call are provided on strings, lists and maps
// (methods.go); Java regular expressions (replaceAll, matches, split) are
// translated to RE2 by CompileJavaRegexp, which REST selection patterns
// use too (CompileJavaRegexpWhole). README.md lists every function and
// each deliberate difference from AWS.
//
// # Limits
//
// A #foreach stops silently after MaxIterations items (AWS's limit, as
// Velocity's directive.foreach.maxloops). Render fails, never hangs, when
// the output or a string exceeds MaxOutput, macros or #define blocks nest
// deeper than MaxMacroDepth, or the template spends more than MaxSteps
// evaluation steps. Render recovers from any panic and returns an error.
//
// # Concurrency
//
// A *Template is immutable after Parse and safe for concurrent use.
// Render keeps its state per call; the *Data passed to it belongs to that
// call, and Render writes only its Context (the overrides a template sets).
package vtl
