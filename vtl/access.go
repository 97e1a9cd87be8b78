package vtl

import (
	"reflect"
	"slices"
	"strings"
	"unsafe"
)

// Reading and writing into values: map key order, properties, indexes.

// mapID identifies a map for the key-order table.
func mapID(m map[string]any) unsafe.Pointer { return reflect.ValueOf(m).UnsafePointer() }

// setOrder records the key order of m.
func (r *renderer) setOrder(m map[string]any, keys []string) {
	if r.order == nil {
		r.order = map[unsafe.Pointer][]string{}
	}
	r.order[mapID(m)] = keys
}

// keys returns m's keys in insertion order when known, sorted otherwise.
func (r *renderer) keys(m map[string]any) []string {
	if ks, ok := r.order[mapID(m)]; ok && len(ks) == len(m) {
		return ks
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// put sets m[k] = v, keeping the insertion order.
func (r *renderer) put(m map[string]any, k string, v any) any {
	old, had := m[k]
	if !had {
		id := mapID(m)
		if ks, ok := r.order[id]; ok && len(ks) == len(m) {
			r.order[id] = append(ks, k)
			delete(r.keyPos, id)
		}
	}
	m[k] = v
	return old
}

// remove deletes m[k], keeping the insertion order.
func (r *renderer) remove(m map[string]any, k string) any {
	old, had := m[k]
	if !had {
		return nil
	}
	id := mapID(m)
	if ks, ok := r.order[id]; ok && len(ks) == len(m) {
		r.order[id] = slices.DeleteFunc(slices.Clone(ks), func(s string) bool { return s == k })
		delete(r.keyPos, id)
	}
	delete(m, k)
	return old
}

// property returns v.name: a map's entry, $foreach's fields, or a getter
// (getName, isName) as Velocity looks them up.
func (r *renderer) property(v any, name string) any {
	switch v := v.(type) {
	case map[string]any:
		return v[name]
	case map[string]string:
		if s, ok := v[name]; ok {
			return s
		}
		return nil
	case *loopState:
		return v.field(name)
	case inputObject:
		if name == "body" {
			return r.inputBody()
		}
		return nil
	}
	if name == "" {
		return nil
	}
	upper := strings.ToUpper(name[:1]) + name[1:]
	if out := r.method(v, &refPart{name: "get" + upper}, nil); out != nil {
		return out
	}
	return r.method(v, &refPart{name: "is" + upper}, nil)
}

// field returns a $foreach property.
func (l *loopState) field(name string) any {
	switch name {
	case "hasNext":
		return l.hasNext
	case "index":
		return int64(l.index)
	case "count":
		return int64(l.index + 1)
	case "first":
		return l.index == 0
	case "last":
		return !l.hasNext
	case "parent":
		if l.parent == nil {
			return nil
		}
		return l.parent
	}
	return nil
}

// index returns v[i]: a list item or a map entry; null when out of range.
func (r *renderer) index(v, i any) any {
	switch v := v.(type) {
	case map[string]any, map[string]string:
		k, err := r.javaString(i, false)
		if err != nil {
			r.fail(err)
		}
		return r.property(v, k)
	}
	n, ok := toInt(i)
	if !ok {
		return nil
	}
	items := listItems(v)
	if n < 0 || n >= len(items) {
		return nil
	}
	return items[n]
}

// listItems returns the items of a list value.
func listItems(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case *javaList:
		return v.items
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	}
	return nil
}
