"""msi_atomic_apply_metadata_operations: every metadata operation on one entity, or none.

The request is read and checked in the order, and with the codes, of irods/irods
plugins/api/src/atomic_apply_metadata_operations.cpp ``rs_atomic_apply_metadata_operations``
(line numbers of 5.0.2; 4.3.5 is the same file but for the quoting of names, see
:func:`_query_compares_name`), reached from the microservice (plugins/microservices/src/
atomic_apply_metadata_operations.cpp ``msi_impl``) through server/api/src/
rs_atomic_apply_metadata_operations.cpp, which calls the API without policy. The server reads
the request with nlohmann/json (3.6.1 or later: irods CMakeLists.txt@5.0.2 L248), and which of
that library's exceptions a check throws decides the code:

1. the text is not JSON: INPUT_ARG_NOT_WELL_FORMED_ERR (L477-489);
2. ``entity_name``/``entity_type`` missing or not strings, the request not an object, an
   unknown type or "zone", no such entity as the client's GenQuery sees it (see
   :func:`_query_compares_name` for names its GenQuery changes):
   SYS_INVALID_INPUT_PARAM (L491-503, get_object_id L152-196);
3. ``admin_mode`` (optional) not a boolean: SYS_INTERNAL_ERR (L516 throws outside the API's
   handlers; msi_impl answers SYS_INTERNAL_ERR for any std::exception, L60-62); true for a
   client who is not a rodsadmin: CAT_INSUFFICIENT_PRIVILEGE_LEVEL (L516-521); absent or false
   without the right to modify the entity: CAT_NO_ACCESS_PERMISSION (L523-529);
4. ``operations`` missing or neither a list, null nor an empty object: SYS_INTERNAL_ERR
   (L532-559, see :func:`_operations`);
5. each operation in turn (``execute_metadata_operation`` L366-441): not an object,
   ``attribute``/``value`` missing or not strings: JSON_VALIDATION_ERROR (L375-376, L429-436);
   either empty: SYS_INVALID_INPUT_PARAM (L378-382); ``units`` present but not a string, or
   ``operation`` missing or not a string: JSON_VALIDATION_ERROR (L385-389); another operation
   than add/remove: INVALID_OPERATION (L410-417); an add the database refuses:
   SYS_LIBRARY_ERROR (L421-423). Any error undoes the operations before it.

On success the output is ``{}`` (L552); on an error it is left as it was (msi_impl L41-46).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn, Optional

from b2safe_sandbox.errors import (
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL,
    CAT_NO_ACCESS_PERMISSION,
    CAT_SQL_ERR,
    INPUT_ARG_NOT_WELL_FORMED_ERR,
    INVALID_OPERATION,
    JSON_VALIDATION_ERROR,
    SYS_INTERNAL_ERR,
    SYS_INVALID_INPUT_PARAM,
    SYS_LIBRARY_ERROR,
    IrodsCallError,
    SandboxError,
)
from b2safe_sandbox.gq.literals import scan
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.msis.meta import avu_target
from b2safe_sandbox.runtime.registry import microservice

#: ic::entity_type_map (server/core/include/irods/catalog_utilities.hpp@5.0.2 L115-121) -> the
#: imeta kind; "zone" is in the map but get_object_id has no query for it (L179-188).
_ENTITY_KINDS: dict[str, Optional[str]] = {
    "data_object": "-d", "collection": "-C", "resource": "-R", "user": "-u", "zone": None}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _type_name(value: Any) -> str:
    """nlohmann's ``type_name()`` of a parsed value, for the messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return {dict: "object", list: "array", str: "string"}.get(type(value), "number")


def _fail(code: int, message: str) -> NoReturn:
    raise IrodsCallError(f"msi_atomic_apply_metadata_operations: {message}", code=code)


class _NumberOverflow(Exception):
    """A number beyond a double's range."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _number(text: str) -> float:
    """A JSON number; the values do not matter here, only that it is a number."""
    value = float(text)
    if math.isinf(value):
        raise _NumberOverflow(text)
    return value


def parse_request(text: str) -> Any:
    """The JSON value of the input ``text``, read as nlohmann's ``json::parse`` reads it.

    The API receives the text up to its first NUL (rs_atomic_apply_metadata_operations.cpp
    L19 ``strlen``); nlohmann skips a UTF-8 byte order mark at the start, refuses NaN and
    Infinity, and refuses a \\u escape of a UTF-16 surrogate that is not part of a pair (all
    parse_error, which L482 turns into INPUT_ARG_NOT_WELL_FORMED_ERR); Python's json takes the
    last three.

    Raises:
        IrodsCallError: INPUT_ARG_NOT_WELL_FORMED_ERR for text that is not JSON;
            SYS_INTERNAL_ERR for a number beyond a double's range (nlohmann throws out_of_range
            406, which L482 does not catch, so msi_impl's std::exception handler answers,
            L60-62).
    """
    text = text.split("\0", 1)[0]
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_int=_number,
                           parse_float=_number)
    except ValueError as exc:
        _fail(INPUT_ARG_NOT_WELL_FORMED_ERR,
              f"the input is not JSON ({exc}); pass one JSON object as the first argument")
    except _NumberOverflow as exc:
        _fail(SYS_INTERNAL_ERR, f"number overflow parsing '{exc}'")
    if "\\u" in text and _SURROGATE.search(json.dumps(value, ensure_ascii=False)):
        _fail(INPUT_ARG_NOT_WELL_FORMED_ERR,
              "the input is not JSON: a \\u escape of a lone UTF-16 surrogate")
    return value


def _string_at(value: Any, key: str, code: int, where: str) -> str:
    """``value.at(key).get<std::string>()``: ``code`` when ``value`` is not an object
    (type_error 304), has no ``key`` (out_of_range 403) or its ``key`` is no string
    (type_error 302)."""
    if not isinstance(value, dict):
        _fail(code, f"{where} must be a JSON object, not {_type_name(value)}")
    if key not in value:
        _fail(code, f"{where} has no \"{key}\"")
    found = value[key]
    if not isinstance(found, str):
        _fail(code, f"\"{key}\" of {where} must be a string, not {_type_name(found)}")
    return found


def _entity(request: Any) -> tuple[str, str]:
    """(entity_name, imeta kind) of the request (L495-497, L179-188).

    Raises:
        IrodsCallError: SYS_INVALID_INPUT_PARAM.
    """
    name = _string_at(request, "entity_name", SYS_INVALID_INPUT_PARAM, "the input")
    entity_type = _string_at(request, "entity_type", SYS_INVALID_INPUT_PARAM, "the input")
    if entity_type not in _ENTITY_KINDS:
        _fail(SYS_INVALID_INPUT_PARAM, f"unknown entity_type {entity_type!r}; use one of "
                                       "data_object, collection, resource, user")
    kind = _ENTITY_KINDS[entity_type]
    if kind is None:
        _fail(SYS_INVALID_INPUT_PARAM, f"Invalid entity type specified [entity_type={entity_type}]")
    return name, kind


def _admin_mode(request: dict) -> bool:
    """``admin_mode``: absent is False (L516).

    Raises:
        IrodsCallError: SYS_INTERNAL_ERR when it is not a boolean (``get<bool>()`` throws
            type_error 302 outside the API's handlers; msi_impl L60-62).
    """
    value = request.get("admin_mode", False)
    if not isinstance(value, bool):
        _fail(SYS_INTERNAL_ERR, f"\"admin_mode\" must be true or false, not {_type_name(value)}")
    return value


def _operations(request: dict) -> list:
    """The operations to run (L535-548).

    ``input.at("operations")`` throws out_of_range when it is missing, which the transaction's
    handler (type_error only, L556-559) lets through to msi_impl (SYS_INTERNAL_ERR, L60-62).
    The loop runs ``operations.size()`` times (nlohmann: 0 for null, the member count of an
    object, 1 for a string, number or boolean) and reads ``operations[i]``, which throws
    type_error 305 on anything but an array: SYS_INTERNAL_ERR (L556-559). So null and ``{}``
    run nothing and succeed.

    Raises:
        IrodsCallError: SYS_INTERNAL_ERR.
    """
    if "operations" not in request:
        _fail(SYS_INTERNAL_ERR, "the input has no \"operations\" (a list of operations)")
    operations = request["operations"]
    if isinstance(operations, list):
        return operations
    if operations is None or operations == {}:
        return []
    _fail(SYS_INTERNAL_ERR, f"\"operations\" must be a list, not {_type_name(operations)}")


def _operation(op: Any, index: int) -> tuple[str, str, str, str]:
    """(operation, attribute, value, units) of the operation ``op`` at ``index``, checked in the
    order of execute_metadata_operation (L372-417).

    Raises:
        IrodsCallError: JSON_VALIDATION_ERROR, SYS_INVALID_INPUT_PARAM or INVALID_OPERATION.
    """
    where = f"operation {index}"
    attribute = _string_at(op, "attribute", JSON_VALIDATION_ERROR, where)
    value = _string_at(op, "value", JSON_VALIDATION_ERROR, where)
    if not attribute or not value:
        _fail(SYS_INVALID_INPUT_PARAM, f"Empty metadata attribute name or value in {where} "
                                       f"[attribute={attribute}, value={value}]")
    units = _string_at(op, "units", JSON_VALIDATION_ERROR, where) if "units" in op else ""
    name = _string_at(op, "operation", JSON_VALIDATION_ERROR, where)
    if name not in ("add", "remove"):
        _fail(INVALID_OPERATION, f"Invalid metadata operation {name!r} in {where}; "
                                 "use add or remove")
    return name, attribute, value, units


@microservice("msi_atomic_apply_metadata_operations", 2, inputs={0: "str"}, outputs={1: "STR"},
              origin="plugin")
def msi_atomic_apply_metadata_operations(call: MsiCall) -> dict:
    """msi_atomic_apply_metadata_operations(json_in, json_out): every operation or none.

    Input ``{"admin_mode": bool, "entity_name", "entity_type": data_object|collection|resource|
    user, "operations": [{"operation": add|remove, "attribute", "value", "units"}]}``; output
    ``{}``. Adding an attached AVU or removing a missing one does nothing (L389-409). The
    errors and their order are in the module docstring.
    """
    request = parse_request(call.args[0])
    name, kind = _entity(request)
    cat, object_id, may_modify = _entity_id(call, kind, name)
    if _admin_mode(request):
        if not cat.is_admin(call.ctx.client_user):  # irods::is_privileged_client (L516-521)
            _fail(CAT_INSUFFICIENT_PRIVILEGE_LEVEL,
                  f"admin_mode: {call.ctx.client_user} is not a rodsadmin of this zone")
    else:
        _require_modify(call, cat, kind, may_modify)
    with cat.batch():
        for index, op in enumerate(_operations(request)):
            operation, attribute, value, units = _operation(op, index)
            if operation == "add":
                _attach(cat, object_id, kind, (attribute, value, units), index)
            else:
                cat.avu_detach(object_id, attribute, value, units)
    return {1: "{}"}


def _attach(cat: Any, object_id: int, kind: str, avu: tuple[str, str, str], index: int) -> None:
    """The add of operation ``index``. A name or value longer than R_META_MAIN's columns hold
    is a database error there, SYS_LIBRARY_ERROR (L395, L421-423); the catalog reports it as
    CAT_SQL_ERR (its column limits: :meth:`b2safe_sandbox.catalog.metadata.Metadata._check_avu`).

    Raises:
        IrodsCallError: SYS_LIBRARY_ERROR.
    """
    try:
        cat.avu_attach(object_id, kind, *avu)
    except SandboxError as exc:
        if exc.code != CAT_SQL_ERR:
            raise
        _fail(SYS_LIBRARY_ERROR, f"operation {index}: {exc}")


def _entity_id(call: MsiCall, kind: str, name: str) -> tuple[Any, int, bool]:
    """(catalog, id, whether the client may modify it) of the entity ``name`` of ``kind``, as
    get_object_id's GenQuery as the client finds it (L152-196): a data object or collection
    the client sees, whose name the query compares unchanged (:func:`_query_compares_name`);
    a user by USER_NAME alone (L171-172), so a name with '#zone' matches none.

    Raises:
        IrodsCallError: SYS_INVALID_INPUT_PARAM when there is no such entity, or the lookup
            fails (any error there: L500-503).
    """
    missing = f"Entity does not exist [entity_name={name}]; check the name and its type"
    if (kind == "-u" and "#" in name) or \
            (kind in ("-d", "-C") and not _query_compares_name(call, kind, name)):
        _fail(SYS_INVALID_INPUT_PARAM, missing)
    try:
        cat, target = avu_target(call, kind, name)
        if kind in ("-d", "-C"):
            # One lookup and one ACL query answer both the visibility and the permission.
            object_id, visible, may_modify = \
                cat.entity_rights(target, kind == "-C", call.actor) or (0, False, False)
        else:
            entity = cat.get_resource(target) if kind == "-R" else cat.get_user(target)
            object_id, visible, may_modify = \
                (entity.id, True, False) if entity else (0, False, False)
    except SandboxError as exc:
        _fail(SYS_INVALID_INPUT_PARAM, f"{missing} ({exc})")
    if not visible:
        _fail(SYS_INVALID_INPUT_PARAM, missing)
    return cat, int(object_id), bool(may_modify)


def _query_compares_name(call: MsiCall, kind: str, name: str) -> bool:
    """Whether get_object_id's query compares COLL_NAME (and DATA_NAME) with the collection
    (parent collection and object) name itself. 5.0.2 writes quotes as \\x27
    (irods::single_quotes_to_hex, L159 and L165-167) into a literal its GenQuery1 lexer decodes
    (:func:`b2safe_sandbox.gq.literals.scan`): a name holding a backslash-x escape of its own
    comes back changed. Guess: such a changed name matches no entity.

    Known difference: 4.3.5 puts the names in unquoted (L159, L165-167@4.3.5), and its parser
    (rcMisc.cpp@4.3.5 getCondFromString L3176-3211 with goodStrExpr, general_query.cpp@4.3.5
    insertWhere L1460-1530) binds a condition from its first to its last quote: a quote in the
    collection's or object's own name still matches, but an odd number of quotes in a data
    object's parent collection glues DATA_NAME's condition into COLL_NAME's value, so 4.3.5
    finds no such object. That is not emulated: b2safe writes PID AVUs through this
    microservice, and under such collections on 4.3 they would fail (irods issue 3902).
    """
    if call.sandbox.irods_version < (5, 0):
        return True
    if kind == "-C":
        values = [name]
    else:
        parent, _, leaf = name.rpartition("/")
        values = [parent, leaf]
    return all(scan("'" + value.replace("'", "\\x27") + "'", 0)[0] == value
               for value in values)


def _require_modify(call: MsiCall, cat: Any, kind: str, may_modify: bool) -> None:
    """Without admin_mode, the client needs 'modify object' on a data object or collection
    (``may_modify``), and must be a rodsadmin for a resource or user (catalog_utilities.cpp
    @5.0.2 L81-144 user_has_permission_to_modify_entity; the same at 4.3.5).

    Raises:
        IrodsCallError: CAT_NO_ACCESS_PERMISSION (L523-529, for every kind).
    """
    allowed = may_modify if kind in ("-d", "-C") else cat.is_admin(call.actor)
    if not allowed:
        _fail(CAT_NO_ACCESS_PERMISSION, "User not allowed to modify metadata; ask the owner "
                                        "for write access (or a rodsadmin: admin_mode)")
