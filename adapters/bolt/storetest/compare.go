package storetest

import (
	"fmt"
	"reflect"
)

// diff compares a and b deeply, using a type's own Equal method when it
// has one (time.Time, core.Money), and answers the differing paths. Nil and
// empty maps and slices differ: the store must keep what it was given.
func diff(a, b any) []string {
	var out []string
	diffValue("", reflect.ValueOf(a), reflect.ValueOf(b), &out)
	return out
}

func diffValue(path string, a, b reflect.Value, out *[]string) {
	if !a.IsValid() || !b.IsValid() {
		if a.IsValid() != b.IsValid() {
			*out = append(*out, fmt.Sprintf("%s: %v vs %v", path, a, b))
		}
		return
	}
	if a.Type() != b.Type() {
		*out = append(*out, fmt.Sprintf("%s: type %s vs %s", path, a.Type(), b.Type()))
		return
	}
	if m, ok := a.Type().MethodByName("Equal"); ok && m.Type.NumIn() == 2 && m.Type.In(1) == a.Type() && m.Type.NumOut() == 1 {
		if !a.MethodByName("Equal").Call([]reflect.Value{b})[0].Bool() {
			*out = append(*out, fmt.Sprintf("%s: %v vs %v", path, a, b))
		}
		return
	}
	switch a.Kind() {
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			diffValue(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i), out)
		}
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			*out = append(*out, fmt.Sprintf("%s: %#v vs %#v", path, a.Interface(), b.Interface()))
			return
		}
		for i := 0; i < a.Len(); i++ {
			diffValue(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), out)
		}
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			*out = append(*out, fmt.Sprintf("%s: %#v vs %#v", path, a.Interface(), b.Interface()))
			return
		}
		for _, k := range a.MapKeys() {
			diffValue(fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), b.MapIndex(k), out)
		}
	case reflect.Interface, reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: nil mismatch", path))
			}
			return
		}
		diffValue(path, a.Elem(), b.Elem(), out)
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: %#v vs %#v", path, a.Interface(), b.Interface()))
		}
	}
}

// zeroFields answers the exported fields of struct v left at their zero
// value, so a fixture provably exercises every field a converter must copy.
func zeroFields(v any) []string {
	var out []string
	rv := reflect.ValueOf(v)
	for i := 0; i < rv.NumField(); i++ {
		if f := rv.Type().Field(i); f.IsExported() && rv.Field(i).IsZero() {
			out = append(out, f.Name)
		}
	}
	return out
}
