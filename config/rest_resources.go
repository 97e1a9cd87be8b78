package config

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// A REST API's resources may be written three ways, which Load normalises
// into one flat list sorted by path (RestAPI.Resources):
//   - a list as `aws apigateway get-resources` prints it, {id, parentId,
//     pathPart, path, resourceMethods} (path alone is enough; a pathPart
//     with a parentId and no path is placed under that parent);
//   - a mapping keyed by full path (/pets/{petId}: {resourceMethods: ...});
//   - a tree: entries with a pathPart (or a relative path) and child
//     resources.
//
// Every ancestor of a written path exists (the root "/" always does),
// written or implied. A resource without an id gets one derived from its
// path (stableID), the same on every load.

// restNode is one normalised resource and where it was written.
type restNode struct {
	res RestResource
	// key is the key path of the entry that wrote the resource; empty for
	// an implied ancestor.
	key string
	// origin is the key path of the entry that first implied or wrote it,
	// for messages about it.
	origin string
}

// resourceWalk gathers the written resources of one REST API.
type resourceWalk struct {
	d      *decoder
	byPath map[string]*restNode
}

// normaliseResources flattens a's resources, reporting what is wrong
// under key path k. The result is sorted by path.
func normaliseResources(a *RestAPI, k string, d *decoder) []*restNode {
	w := &resourceWalk{d: d, byPath: map[string]*restNode{}}
	w.byPath["/"] = &restNode{res: RestResource{Path: "/"}, origin: k + ".resources"}
	listKey := k + ".resources"
	var pending []int // top-level entries placed by parentId
	for i := range a.Resources {
		e := &a.Resources[i]
		if e.Path == "" && e.PathPart != "" && e.ParentID != "" {
			pending = append(pending, i)
			continue
		}
		w.entry(e, d.elem(listKey, i), "/")
	}
	for progress := true; len(pending) > 0 && progress; {
		progress = false
		for j := 0; j < len(pending); j++ {
			e := &a.Resources[pending[j]]
			if parent := w.withID(e.ParentID); parent != nil {
				w.entry(e, d.elem(listKey, pending[j]), parent.res.Path)
				pending = slices.Delete(pending, j, j+1)
				j--
				progress = true
			}
		}
	}
	for _, i := range pending {
		d.at(d.elem(listKey, i)+".parentId", "no resource has the id %q", a.Resources[i].ParentID)
	}

	nodes := slices.SortedFunc(maps.Values(w.byPath), func(x, y *restNode) int { return strings.Compare(x.res.Path, y.res.Path) })
	w.checkSiblings(nodes)
	w.assignIDs(nodes)
	return nodes
}

// withID returns the written resource whose id is id, or nil.
func (w *resourceWalk) withID(id string) *restNode {
	for _, n := range w.byPath {
		if n.key != "" && n.res.ID == id {
			return n
		}
	}
	return nil
}

// entry adds one written resource at key path ek, whose enclosing resource
// is parent, and then its children.
func (w *resourceWalk) entry(e *RestResource, ek, parent string) {
	d := w.d
	pathKey := ek + ".path"
	if _, ok := d.pos[pathKey]; !ok && d.keys[ek] != nil {
		pathKey = ek // a mapping entry: the key is the path
	}
	var full string
	switch {
	case e.Path != "":
		full = e.Path
		if !strings.HasPrefix(full, "/") {
			full = joinPath(parent, full)
		} else if parent != "/" && !strings.HasPrefix(full, parent+"/") {
			d.atKey(pathKey, "%q is not under its parent resource %q (write it relative to the parent, or at the top level)", e.Path, parent)
			return
		}
	case e.PathPart != "":
		full = joinPath(parent, e.PathPart)
		pathKey = ek + ".pathPart"
	default:
		d.at(ek, "a resource needs a path (e.g. /pets/{petId}) or a pathPart")
		return
	}
	if full != "/" {
		full = strings.TrimSuffix(full, "/")
	}
	if !w.checkPath(full, pathKey) {
		return
	}
	if e.Path != "" && e.PathPart != "" && e.PathPart != lastPart(full) {
		d.at(ek+".pathPart", "%q is not the last part of the path %q", e.PathPart, full)
		return
	}
	n := w.byPath[full]
	switch {
	case n != nil && n.key != "":
		d.atKey(pathKey, "duplicate resource %q (also %s, line %d)", full, d.show(n.key), d.line(n.key))
		return
	case n == nil:
		n = &restNode{origin: ek}
		w.byPath[full] = n
	}
	n.key = ek
	n.res = RestResource{ID: e.ID, ParentID: e.ParentID, PathPart: lastPart(full), Path: full, ResourceMethods: e.ResourceMethods}
	for p := parentPath(full); p != ""; p = parentPath(p) {
		if w.byPath[p] == nil {
			w.byPath[p] = &restNode{res: RestResource{Path: p, PathPart: lastPart(p)}, origin: ek}
		}
	}
	for i := range e.Resources {
		w.entry(&e.Resources[i], d.elem(ek+".resources", i), full)
	}
}

// checkPath checks every part of a full path: the path-part rule, and a
// greedy {name+} only as the last part.
func (w *resourceWalk) checkPath(full, key string) bool {
	if full == "/" {
		return true
	}
	parts := strings.Split(full[1:], "/")
	for i, p := range parts {
		if msg := checkPathPart(p); msg != "" {
			w.d.atKey(key, "%q: %s", full, msg)
			return false
		}
		if strings.HasSuffix(p, "+}") && i < len(parts)-1 {
			w.d.atKey(key, "%q: the greedy path variable %s must be the last part", full, p)
			return false
		}
	}
	return true
}

// checkPathPart checks one path part by API Gateway's rule: letters,
// digits, '.', '_' and '-', or a variable {name} or greedy {name+} of
// those. It returns a message, or "".
func checkPathPart(p string) string {
	if p == "" {
		return "empty path part (a doubled or trailing /)"
	}
	name := p
	if p[0] == '{' || p[len(p)-1] == '}' {
		if len(p) < 3 || p[0] != '{' || p[len(p)-1] != '}' {
			return "path part " + p + ": braces go around a whole part, {name} or {name+}"
		}
		name = strings.TrimSuffix(p[1:len(p)-1], "+")
	}
	if name == "" {
		return "path part " + p + ": empty variable name"
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "path part " + p + ": only a-zA-Z0-9._- and {} around a variable (with an optional + before the closing brace) are allowed"
		}
	}
	return ""
}

// checkSiblings reports a second variable child of one resource: API
// Gateway allows one ({id} and {name} cannot be siblings, nor {id} and
// {proxy+}).
func (w *resourceWalk) checkSiblings(nodes []*restNode) {
	variable := map[string]*restNode{} // parent path → its variable child
	for _, n := range nodes {
		if !strings.HasPrefix(n.res.PathPart, "{") {
			continue
		}
		parent := parentPath(n.res.Path)
		prev := variable[parent]
		if prev == nil {
			variable[parent] = n
			continue
		}
		w.d.atKey(w.where(n), "%q: resource %q already has the variable child %s (also %s, line %d); API Gateway allows one variable path part per resource",
			n.res.Path, parent, prev.res.PathPart, w.d.show(prev.origin), w.d.line(prev.origin))
	}
}

// where is the key path to report a resource at.
func (w *resourceWalk) where(n *restNode) string {
	if n.key != "" {
		if _, ok := w.d.pos[n.key+".path"]; ok {
			return n.key + ".path"
		}
		if _, ok := w.d.pos[n.key+".pathPart"]; ok {
			return n.key + ".pathPart"
		}
		return n.key
	}
	return n.origin
}

// assignIDs checks the written ids, derives the others from the paths and
// sets every ParentID, reporting a written parentId that names another
// resource.
func (w *resourceWalk) assignIDs(nodes []*restNode) {
	d := w.d
	ids := map[string]*restNode{}
	for _, n := range nodes {
		switch id := n.res.ID; {
		case id == "":
		case !apiIDRE.MatchString(id):
			d.at(n.key+".id", "%q: use 1-64 letters, digits, _ or -", id)
		case ids[id] != nil:
			d.at(n.key+".id", "duplicate resource id %q (also %q)", id, ids[id].res.Path)
		default:
			ids[id] = n
		}
	}
	taken := func(id string) bool { return ids[id] != nil }
	for _, n := range nodes {
		if n.res.ID == "" {
			n.res.ID = stableID("portico-resource", n.res.Path, taken)
			ids[n.res.ID] = n
		}
	}
	for _, n := range nodes {
		written := n.res.ParentID
		n.res.ParentID = ""
		if n.res.Path != "/" {
			n.res.ParentID = w.byPath[parentPath(n.res.Path)].res.ID
		}
		if written != "" && written != n.res.ParentID {
			if n.res.Path == "/" {
				d.at(n.key+".parentId", "the root resource has no parent")
			} else {
				d.at(n.key+".parentId", "%q is not the id of the parent resource %q (%q)", written, parentPath(n.res.Path), n.res.ParentID)
			}
		}
	}
}

// joinPath appends a relative path to parent.
func joinPath(parent, rel string) string {
	if parent == "/" {
		return "/" + rel
	}
	return parent + "/" + rel
}

// parentPath returns the path of p's parent: "/" for "/pets", "" for "/".
func parentPath(p string) string {
	if p == "/" {
		return ""
	}
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// lastPart returns p's last path part, "" for the root.
func lastPart(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

// pathVariables returns the names of the variables in path, without
// braces or +.
func pathVariables(path string) []string {
	var out []string
	for p := range strings.SplitSeq(path, "/") {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			out = append(out, strings.TrimSuffix(p[1:len(p)-1], "+"))
		}
	}
	return out
}

// normaliseRest stores what validation normalised in f, once the file is
// valid: each REST API's flat resources, the "/" of binary media types
// written "~1", and the IDs left out of authorizers, request validators,
// API keys and usage plans (their names).
func normaliseRest(f *File, resources [][]RestResource) {
	for i := range f.RestAPIs {
		a := &f.RestAPIs[i]
		if i < len(resources) {
			a.Resources = resources[i]
		}
		for j := range a.Resources {
			fillFromKeys(a.Resources[j].ResourceMethods)
		}
		for j, t := range a.BinaryMediaTypes {
			a.BinaryMediaTypes[j] = strings.ReplaceAll(t, "~1", "/")
		}
		for j := range a.Authorizers {
			au := &a.Authorizers[j]
			au.ID = cmp.Or(au.ID, au.Name)
		}
		for j := range a.RequestValidators {
			v := &a.RequestValidators[j]
			v.ID = cmp.Or(v.ID, v.Name)
		}
	}
	for i := range f.APIKeys {
		k := &f.APIKeys[i]
		k.ID = cmp.Or(k.ID, k.Name)
	}
	for i := range f.UsagePlans {
		p := &f.UsagePlans[i]
		p.ID = cmp.Or(p.ID, p.Name)
	}
}

// fillFromKeys repeats each method's key in its httpMethod, and each
// response's status code key in its statusCode, as apigateway's output
// does, so that a consumer can pass one around without its key.
func fillFromKeys(methods map[string]RestMethod) {
	for name, m := range methods {
		m.HTTPMethod = name
		for code, r := range m.MethodResponses {
			r.StatusCode = code
			m.MethodResponses[code] = r
		}
		if in := m.MethodIntegration; in != nil {
			for code, r := range in.IntegrationResponses {
				r.StatusCode = code
				in.IntegrationResponses[code] = r
			}
		}
		methods[name] = m
	}
}

// CheckRestPathPart checks one path part of a REST API resource by API
// Gateway's rule (letters, digits, '.', '_' and '-', or a variable {name}
// or greedy {name+} of those), as Load does. It returns a message, or "".
func CheckRestPathPart(p string) string { return checkPathPart(p) }
