package crmweaver

/*
#include <stdlib.h>
#include <crmweaver.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// File formats of ImportFile and ExportDir (enum crmw_format).
const (
	FileJSON  = 0 // a JSON array of records
	FileJSONL = 1 // one JSON record per line
	FileCSV   = 2 // RFC 4180 CSV with a header row of field names
)

// Insert adds one record of object given as a JSON object and returns its
// Id (generated when the record has no "Id").  The DB must be open
// read-write (OpenReadWrite; CodeAccess otherwise).
func (db *DB) Insert(object, recordJSON string) (string, error) {
	h, err := db.handle()
	if err != nil {
		return "", err
	}
	o := newCstr(object)
	defer o.free()
	r := newCstr(recordJSON)
	defer r.free()
	out, err := callBuf(func(b *C.crmw_buf) C.int {
		return C.crmw_record_insert(b, h, o.p, r.p, C.size_t(len(recordJSON)))
	})
	runtime.KeepAlive(db)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// Get reads record id of object as a JSON object with every field.
func (db *DB) Get(object, id string) ([]byte, error) {
	h, err := db.handle()
	if err != nil {
		return nil, err
	}
	o := newCstr(object)
	defer o.free()
	i := newCstr(id)
	defer i.free()
	out, err := callBuf(func(b *C.crmw_buf) C.int { return C.crmw_record_get(b, h, o.p, i.p) })
	runtime.KeepAlive(db)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Update sets the fields of patchJSON on record id (JSON null clears one).
func (db *DB) Update(object, id, patchJSON string) error {
	h, err := db.handle()
	if err != nil {
		return err
	}
	o := newCstr(object)
	defer o.free()
	i := newCstr(id)
	defer i.free()
	p := newCstr(patchJSON)
	defer p.free()
	err = call(func() C.int { return C.crmw_record_update(h, o.p, i.p, p.p, C.size_t(len(patchJSON))) })
	runtime.KeepAlive(db)
	return err
}

// Delete deletes record id (CodeSchema when other records reference it).
func (db *DB) Delete(object, id string) error {
	h, err := db.handle()
	if err != nil {
		return err
	}
	o := newCstr(object)
	defer o.free()
	i := newCstr(id)
	defer i.free()
	err = call(func() C.int { return C.crmw_record_delete(h, o.p, i.p) })
	runtime.KeepAlive(db)
	return err
}

// ImportFile imports one file of records of object (all or nothing) in a
// format (FileJSON, FileJSONL, FileCSV) and returns the number of records.
func (db *DB) ImportFile(object string, format int, path string) (int64, error) {
	h, err := db.handle()
	if err != nil {
		return 0, err
	}
	o := newCstr(object)
	defer o.free()
	p := newCstr(path)
	defer p.free()
	var n C.int64_t
	err = call(func() C.int { return C.crmw_db_import_file(&n, h, o.p, C.int32_t(format), p.p) })
	runtime.KeepAlive(db)
	return int64(n), err
}

// ExportDir writes every object to dir/<Object>.<ext> plus dir/schema.json
// (crmw_db_export_dir); the folder is created if needed.
func (db *DB) ExportDir(format int, dir string) error {
	h, err := db.handle()
	if err != nil {
		return err
	}
	d := newCstr(dir)
	defer d.free()
	err = call(func() C.int { return C.crmw_db_export_dir(h, C.int32_t(format), d.p) })
	runtime.KeepAlive(db)
	return err
}

// BuiltinSchema is the JSON form of a built-in schema set ("crmarena",
// "b2b" or "b2c"; CodeNotFound otherwise).
func BuiltinSchema(set string) (string, error) {
	s := newCstr(set)
	defer s.free()
	var sch *C.crmw_schema
	if err := call(func() C.int { return C.crmw_schema_builtin(&sch, s.p) }); err != nil {
		return "", err
	}
	defer C.crmw_schema_free(sch)
	out, err := callBuf(func(b *C.crmw_buf) C.int { return C.crmw_schema_to_json(b, sch) })
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// Role is a set of read permissions on objects, fields and rows
// (crmw_role).  Use it in queries with QueryOptions.Role.
type Role struct {
	ptr *C.crmw_role
}

// NewRole makes a role for the org db (crmw_role_new without bindings):
// policy is "internal", "external", "external:<Contact or Account Id>" or a
// JSON policy document (docs/access.md).  db is only read while the role is
// made.
func NewRole(db *DB, policy string) (*Role, error) {
	return NewRoleBound(db, policy, nil)
}

// NewRoleBound is NewRole with the policy's variables bound
// ({"user_id": "005..."}; account_id, contact_id, user_id).
func NewRoleBound(db *DB, policy string, bindings map[string]string) (*Role, error) {
	dh, err := db.handle()
	if err != nil {
		return nil, err
	}
	p := newCstr(policy)
	defer p.free()
	var b cstr
	if len(bindings) > 0 {
		if b, err = jsonCstr(bindings); err != nil {
			return nil, err
		}
		defer b.free()
	}
	var h *C.crmw_role
	err = call(func() C.int { return C.crmw_role_new(&h, dh, p.p, b.p) })
	runtime.KeepAlive(db)
	if err != nil {
		return nil, err
	}
	return wrapRole(h), nil
}

func wrapRole(h *C.crmw_role) *Role {
	r := &Role{ptr: h}
	runtime.SetFinalizer(r, (*Role).Close)
	return r
}

// handleOrNil is the role's handle, nil for a nil role (no role).
func (r *Role) handleOrNil() (*C.crmw_role, error) {
	if r == nil {
		return nil, nil
	}
	if r.ptr == nil {
		return nil, closedError("Role")
	}
	return r.ptr, nil
}

// Intersect is the role that sees what both r and other see
// (crmw_role_intersect): objects and fields both show, capabilities both
// allow, records both row rules accept.
func (r *Role) Intersect(other *Role) (*Role, error) {
	if r == nil || r.ptr == nil || other == nil || other.ptr == nil {
		return nil, closedError("Role")
	}
	var h *C.crmw_role
	err := call(func() C.int { return C.crmw_role_intersect(&h, r.ptr, other.ptr) })
	runtime.KeepAlive(r)
	runtime.KeepAlive(other)
	if err != nil {
		return nil, err
	}
	return wrapRole(h), nil
}

// Binding is the Id bound to one of the role's variables, "" when unbound.
func (r *Role) Binding(name string) string {
	if r == nil || r.ptr == nil {
		return ""
	}
	n := newCstr(name)
	defer n.free()
	s := ""
	if v := C.crmw_role_binding(r.ptr, n.p); v != nil {
		s = C.GoString(v)
	}
	runtime.KeepAlive(r)
	return s
}

// Close releases the role.  Calling it again does nothing.
func (r *Role) Close() error {
	if r == nil || r.ptr == nil {
		return nil
	}
	C.crmw_role_free(r.ptr)
	r.ptr = nil
	runtime.SetFinalizer(r, nil)
	return nil
}

// Name is the role's name ("internal", "external" or the policy's name).
func (r *Role) Name() string {
	if r == nil || r.ptr == nil {
		return ""
	}
	s := C.GoString(C.crmw_role_name(r.ptr))
	runtime.KeepAlive(r)
	return s
}

// CanRead reports whether the role may read object and, when field is not
// "", that field of it (row rules are not considered).  False for a closed
// role.
func (r *Role) CanRead(object, field string) bool {
	if r == nil || r.ptr == nil {
		return false
	}
	o := newCstr(object)
	defer o.free()
	var f *C.char
	if field != "" {
		f = C.CString(field)
		defer C.free(unsafe.Pointer(f))
	}
	ok := C.crmw_role_can_read(r.ptr, o.p, f) == 1
	runtime.KeepAlive(r)
	return ok
}

// Describe is the effective policy as JSON (crmw_role_describe).
func (r *Role) Describe() ([]byte, error) {
	if r == nil || r.ptr == nil {
		return nil, closedError("Role")
	}
	out, err := callBuf(func(b *C.crmw_buf) C.int { return C.crmw_role_describe(b, r.ptr) })
	runtime.KeepAlive(r)
	return out, err
}
