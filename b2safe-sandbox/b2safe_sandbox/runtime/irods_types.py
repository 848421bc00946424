"""Emulation of PREP's Boost.Python module ``irods_types`` (struct wrappers).

The sandbox registers this module as ``sys.modules['irods_types']`` while a rule runs, so rule code
does ``import irods_types`` exactly as on a server. What is copied from PREP (src/types/**):

* Constructors take no arguments; fields start zeroed (empty strings, 0, None pointers).
* Fixed-size ``char[]`` fields are returned as :class:`char_array` *views* of the struct, never as
  ``str``: ``str(x)`` gives the text up to the first NUL, ``len(x)`` is the buffer size, indexing
  gives one-character strings and item assignment writes into the struct. KeyValPair keys/values
  are :class:`c_string` views (``len`` = string length + 1, as PREP's null-terminated array_ref).
* ``==`` between such a view and a ``str`` is False (Boost compares identities), so code that
  forgets ``str()`` misbehaves in the sandbox as on a server.
* Scalar fields are read-only except where PREP uses ``def_readwrite`` (GenQueryInp, RodsObjStat's
  objSize/objType/dataMode, SqlResult.attriInx). char fields are always read-only attributes.
* ``KeyValPair``: ``len``, ``key[i]``, ``value[i]``, ``kvp['k']`` (str or KeyError; non-str key ->
  TypeError, as Boost's argument conversion fails). No ``in``, no iteration over keys.
* ``GenQueryOut.sqlResult[c].row(r)`` returns ``str``; ``SqlResult.value`` raises RuntimeError.
* ``BytesBuf``: ``len``, ``buf`` (char_array of ``len`` or None), ``get_bytes()``, ``get_byte(n)``,
  ``set_buffer(seq[, n])`` (items must be ints 0..255), ``clear_buffer()``.
* ``TransferStat`` keeps PREP's mis-mapped properties (``len`` -> flags, ``offset`` ->
  bytesWritten).

The runtime fills objects through the module-level underscore helpers (``_new``, ``_make_*``,
``_kvp_*``, ``_gq_*``); rule code never needs them. This module must stay importable on its own
(no b2safe imports) because it is also imported as a top-level module by zone assets.
"""

from __future__ import annotations

import copy
import enum
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

# Buffer sizes of iRODS (rodsDef.h); only used as char_array capacities.
MAX_NAME_LEN = 1088
NAME_LEN = 64
LONG_NAME_LEN = 256
TIME_LEN = 32
SHORT_STR_LEN = 32
HEADER_TYPE_LEN = 128
CHKSUM_LEN = 1024
MAX_SQL_ROWS = 256


# ---------------------------------------------------------------------------------------------
# char arrays
# ---------------------------------------------------------------------------------------------


class _CharStore:
    """The bytes of one ``char[N]`` field: raw text (may contain NULs) and a fixed capacity."""

    __slots__ = ("capacity", "raw")

    def __init__(self, capacity: int, text: str = "") -> None:
        self.capacity = capacity
        self.raw = ""
        self.set(text)

    def set(self, text: str) -> None:
        """Replace the content (truncated to capacity - 1, like a bounded strncpy)."""
        text = str(text)
        if len(text) >= self.capacity:
            text = text[: max(self.capacity - 1, 0)]
        self.raw = text

    def text(self) -> str:
        """The C string: everything before the first NUL."""
        nul = self.raw.find("\0")
        return self.raw if nul < 0 else self.raw[:nul]

    def get_char(self, i: int) -> str:
        return self.raw[i] if i < len(self.raw) else "\0"

    def put_char(self, i: int, ch: str) -> None:
        raw = self.raw
        if i >= len(raw):
            raw = raw + "\0" * (i - len(raw)) + ch
        else:
            raw = raw[:i] + ch + raw[i + 1 :]
        self.raw = raw

    def __deepcopy__(self, memo: Dict[int, Any]) -> _CharStore:
        clone = _CharStore(self.capacity)
        clone.raw = self.raw
        return clone


def _char_from(value: Any) -> str:
    """Convert an item assigned into a char array to one character (str of length 1 or int)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not -128 <= value <= 255:
            raise OverflowError("value out of range for char")
        return chr(value % 256)
    if isinstance(value, str) and len(value) == 1:
        return value
    raise TypeError(f"No registered converter was able to extract a C++ char from {value!r}")


class _CharView:
    """Common part of :class:`char_array` and :class:`c_string` (a view of a struct's field)."""

    __slots__ = ("_length", "_store")

    _length: int
    _store: _CharStore

    def __init__(self) -> None:  # pragma: no cover - PREP objects of these types are never built
        raise RuntimeError("This class cannot be instantiated from Python")

    @classmethod
    def _view(cls, store: _CharStore, length: int) -> Any:
        obj = object.__new__(cls)
        obj._store = store
        obj._length = length
        return obj

    def __str__(self) -> str:
        text = self._store.text()
        return text[: self._length] if self._length < len(text) else text

    def __repr__(self) -> str:
        return f"<irods_types.{type(self).__name__} object at {id(self):#x}>"

    def __len__(self) -> int:
        return self._length

    def _index(self, i: int) -> int:
        if not isinstance(i, int) or isinstance(i, bool):
            raise TypeError("Invalid index type")
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError("Index out of range")
        return i

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._store.get_char(j) for j in range(*i.indices(self._length))]
        return self._store.get_char(self._index(i))

    def __setitem__(self, i: int, value: Any) -> None:
        self._store.put_char(self._index(i), _char_from(value))

    def __iter__(self) -> Any:
        for j in range(self._length):
            yield self._store.get_char(j)

    # Guess: Boost.Python compares these wrappers by identity (array_ref_base operator== compares
    # addresses), so a view never equals a str. Keep identity semantics and identity hashing.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    __hash__ = object.__hash__


class char_array(_CharView):
    """A ``char[N]`` struct field: ``len`` is N, ``str()`` the text up to the first NUL."""

    __slots__ = ()


class c_string(_CharView):
    """A null-terminated string view (KeyValPair keys/values): ``len`` is strlen + 1."""

    __slots__ = ()


#: Names used by the contract / other helpers.
CharArray = char_array
CString = c_string


class _ReadOnlyArray:
    """A read-only sequence (PREP's array_ref with its indexing suite)."""

    __slots__ = ("_items",)

    def __init__(self, items: Sequence[Any] = ()) -> None:
        self._items: List[Any] = list(items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i: Any) -> Any:
        return self._items[i]

    def __iter__(self) -> Any:
        return iter(self._items)


class c_string_array(_ReadOnlyArray):
    """A read-only sequence of :class:`c_string` views (``KeyValPair.key`` / ``.value``)."""

    __slots__ = ()

    @classmethod
    def _of(cls, stores: Sequence[_CharStore]) -> c_string_array:
        obj = cls()
        obj._items = [c_string._view(s, len(s.text()) + 1) for s in stores]
        return obj

    def __repr__(self) -> str:
        return f"<irods_types.c_string_array object at {id(self):#x}>"


# ---------------------------------------------------------------------------------------------
# Struct machinery
# ---------------------------------------------------------------------------------------------


class _Field:
    """One struct field: ``kind`` is 'char' (size), 'int', 'float', 'enum', 'struct', 'ptr'."""

    __slots__ = ("default", "kind", "name", "size", "writable")

    def __init__(self, name: str, kind: str, size: int = 0, default: Any = None,
                 writable: bool = False) -> None:
        self.name = name
        self.kind = kind
        self.size = size
        self.default = default
        self.writable = writable

    def initial(self) -> Any:
        if self.kind == "char":
            return _CharStore(self.size)
        if self.kind == "int":
            return 0 if self.default is None else self.default
        if self.kind == "float":
            return 0.0
        if self.kind == "struct":
            return self.default()
        return self.default  # 'ptr' and 'enum'


def _char(name: str, size: int = NAME_LEN) -> _Field:
    return _Field(name, "char", size=size)


def _int(name: str, writable: bool = False) -> _Field:
    return _Field(name, "int", writable=writable)


def _ptr(name: str) -> _Field:
    # Pointer members are exposed with getter and setter by PREP (make_getter/make_setter).
    return _Field(name, "ptr", default=None, writable=True)


def _sub(name: str, factory: Callable[[], Any]) -> _Field:
    return _Field(name, "struct", default=factory)


class _Struct:
    """Base of the struct wrappers: field values live in ``self._v`` keyed by field name."""

    _FIELDS: Tuple[_Field, ...] = ()
    _BY_NAME: Dict[str, _Field] = {}

    def __init__(self) -> None:
        object.__setattr__(self, "_v", {f.name: f.initial() for f in self._FIELDS})

    def __setattr__(self, name: str, value: Any) -> None:
        field = type(self)._BY_NAME.get(name)
        if field is None:
            if name.startswith("_"):
                object.__setattr__(self, name, value)
                return
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        if not field.writable:
            raise AttributeError("can't set attribute")
        self._v[name] = _coerce(field, value, strict=True)

    def __repr__(self) -> str:
        return f"<irods_types.{type(self).__name__} object at {id(self):#x}>"


def _coerce(field: _Field, value: Any, strict: bool) -> Any:
    """Convert ``value`` for ``field`` (strict = as Boost would accept from rule code)."""
    if field.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            if strict:
                raise TypeError(f"Python argument types did not match C++ signature: {value!r}")
            value = int(value)
        return int(value)
    if field.kind == "float":
        return float(value)
    if field.kind == "enum":
        return objType(int(value))
    return value


def _fields(*fields: _Field) -> Callable[[type], type]:
    """Class decorator: install ``fields`` as properties of a :class:`_Struct` subclass."""

    def install(cls: type) -> type:
        cls._FIELDS = tuple(fields)
        cls._BY_NAME = {f.name: f for f in fields}
        for field in fields:
            setattr(cls, field.name, _make_property(field))
        return cls

    return install


def _make_property(field: _Field) -> property:
    name = field.name
    if field.kind == "char":

        def get_char(self: _Struct) -> char_array:
            store = self._v[name]
            return char_array._view(store, store.capacity)

        return property(get_char)

    def get_value(self: _Struct) -> Any:
        return self._v[name]

    if field.writable:

        def set_value(self: _Struct, value: Any) -> None:
            self._v[name] = _coerce(field, value, strict=True)

        return property(get_value, set_value)
    return property(get_value)


# ---------------------------------------------------------------------------------------------
# Enums
# ---------------------------------------------------------------------------------------------


class objType(enum.IntEnum):
    """``objType_t`` (rodsType.h) with PREP's value names; also exported at module level."""

    UNKNOWN_OBJ = 0
    DATA_OBJ = 1
    COLL_OBJ = 2
    UNKNOWN_FILE = 3
    LOCAL_FILE = 4
    LOCAL_DIR = 5


UNKNOWN_OBJ = objType.UNKNOWN_OBJ
DATA_OBJ = objType.DATA_OBJ
COLL_OBJ = objType.COLL_OBJ
UNKNOWN_FILE = objType.UNKNOWN_FILE
LOCAL_FILE = objType.LOCAL_FILE
LOCAL_DIR = objType.LOCAL_DIR


class irodsProt(enum.IntEnum):
    """``irodsProt_t`` (PREP src/types/irods/rodsDef.cpp@5.0.1 L57-65, values exported)."""

    NATIVE_PROT = 0
    XML_PROT = 1


class procState(enum.IntEnum):
    """``procState_t`` (rcConnect.h@5.0.2 L29-34; PREP rcConnect.cpp L38-48)."""

    PROCESSING_STATE = 0
    RECEIVING_STATE = 1
    SENDING_STATE = 2
    CONN_WAIT_STATE = 3


class procLogFlag(enum.IntEnum):
    """``procLogFlag_t`` (rcConnect.h@5.0.2 L75-78; PREP rcConnect.cpp L121-130)."""

    PROC_LOG_NOT_DONE = 0
    PROC_LOG_DONE = 1


NATIVE_PROT, XML_PROT = irodsProt.NATIVE_PROT, irodsProt.XML_PROT
PROCESSING_STATE, RECEIVING_STATE = procState.PROCESSING_STATE, procState.RECEIVING_STATE
SENDING_STATE, CONN_WAIT_STATE = procState.SENDING_STATE, procState.CONN_WAIT_STATE
PROC_LOG_NOT_DONE, PROC_LOG_DONE = procLogFlag.PROC_LOG_NOT_DONE, procLogFlag.PROC_LOG_DONE


# ---------------------------------------------------------------------------------------------
# KeyValPair and friends
# ---------------------------------------------------------------------------------------------


class KeyValPair:
    """``keyValPair_t``: ``len``, ``key``/``value`` (c_string views) and ``kvp['k'] -> str``."""

    def __init__(self) -> None:
        self._keys: List[_CharStore] = []
        self._values: List[_CharStore] = []

    @property
    def len(self) -> int:
        return len(self._keys)

    @property
    def key(self) -> c_string_array:
        return c_string_array._of(self._keys)

    @property
    def value(self) -> c_string_array:
        return c_string_array._of(self._values)

    def __getitem__(self, key: Any) -> str:
        if not isinstance(key, str):
            # Boost.Python.ArgumentError is a TypeError.
            raise TypeError(
                "Python argument types in KeyValPair.__getitem__(KeyValPair, "
                f"{type(key).__name__}) did not match C++ signature")
        for k, v in zip(self._keys, self._values):
            if k.text() == key:
                return v.text()
        raise KeyError(f"{key} was not found in the list of keys.")

    def __repr__(self) -> str:
        return f"<irods_types.KeyValPair object at {id(self):#x}>"


def _kvp_store(text: str) -> _CharStore:
    # Keys and values are heap strings in iRODS (no fixed size); capacity = length + 1.
    text = str(text)
    return _CharStore(len(text) + 1, text)


def _kvp_add(kvp: KeyValPair, key: str, value: str) -> None:
    """iRODS ``addKeyVal``: replace the value of an existing key, else append the pair."""
    key, value = str(key), str(value)
    for i, k in enumerate(kvp._keys):
        if k.text() == key:
            kvp._values[i] = _kvp_store(value)
            return
    kvp._keys.append(_kvp_store(key))
    kvp._values.append(_kvp_store(value))


def _kvp_append(kvp: KeyValPair, key: str, value: str) -> None:
    """Append a pair even if the key exists (iRODS can carry duplicates, e.g. AVU lists)."""
    kvp._keys.append(_kvp_store(str(key)))
    kvp._values.append(_kvp_store(str(value)))


def _kvp_remove(kvp: KeyValPair, key: str) -> bool:
    """iRODS ``rmKeyVal``: remove the first pair with ``key``; returns whether one was removed."""
    for i, k in enumerate(kvp._keys):
        if k.text() == key:
            del kvp._keys[i]
            del kvp._values[i]
            return True
    return False


def _kvp_items(kvp: KeyValPair) -> List[Tuple[str, str]]:
    """All pairs as ``(key, value)`` strings, in order (duplicates kept)."""
    return [(k.text(), v.text()) for k, v in zip(kvp._keys, kvp._values)]


def _kvp_get(kvp: KeyValPair, key: str, default: Optional[str] = None) -> Optional[str]:
    """The value of ``key`` as str, or ``default``."""
    for k, v in zip(kvp._keys, kvp._values):
        if k.text() == key:
            return v.text()
    return default


def _make_kvp(items: Any = ()) -> KeyValPair:
    """A KeyValPair from a mapping or an iterable of pairs (later keys replace earlier ones)."""
    kvp = KeyValPair()
    pairs = items.items() if isinstance(items, Mapping) else items
    for k, v in pairs:
        _kvp_add(kvp, k, v)
    return kvp


@_fields(_int("len"))
class InxIvalPair(_Struct):
    """``inxIvalPair_t`` (GenQuery select list): ``len``, ``inx``, ``value`` int lists."""

    def __init__(self) -> None:
        super().__init__()
        object.__setattr__(self, "_inx", [])
        object.__setattr__(self, "_val", [])

    @property
    def inx(self) -> List[int]:
        return list(self._inx)

    @property
    def value(self) -> List[int]:
        return list(self._val)


@_fields(_int("len"))
class InxValPair(_Struct):
    """``inxValPair_t`` (GenQuery conditions): ``len``, ``inx`` ints and ``value`` c_strings."""

    def __init__(self) -> None:
        super().__init__()
        object.__setattr__(self, "_inx", [])
        object.__setattr__(self, "_val", [])

    @property
    def inx(self) -> List[int]:
        return list(self._inx)

    @property
    def value(self) -> c_string_array:
        return c_string_array._of(self._val)


# ---------------------------------------------------------------------------------------------
# Data objects, collections, stat
# ---------------------------------------------------------------------------------------------


@_fields(
    _int("collClass", writable=True), _int("type", writable=True),
    _char("collection", MAX_NAME_LEN), _char("objPath", MAX_NAME_LEN),
    _char("resource"), _char("rescHier", MAX_NAME_LEN), _char("phyPath", MAX_NAME_LEN),
    _char("cacheDir", MAX_NAME_LEN), _int("cacheDirty", writable=True),
    _int("replNum", writable=True),
)
class SpecColl(_Struct):
    """``specColl_t`` (special collections; always empty in the sandbox)."""


@_fields(
    _char("objPath", MAX_NAME_LEN), _int("createMode"), _int("openFlags"), _int("offset"),
    _int("dataSize"), _int("numThreads"), _int("oprType"), _ptr("specColl"),
    _sub("condInput", KeyValPair),
)
class DataObjInp(_Struct):
    """``dataObjInp_t``: objPath, createMode, openFlags, offset, dataSize, numThreads, oprType,
    specColl, condInput."""


@_fields(_sub("srcDataObjInp", DataObjInp), _sub("destDataObjInp", DataObjInp))
class DataObjCopyInp(_Struct):
    """``dataObjCopyInp_t``: srcDataObjInp, destDataObjInp (copy and rename PEPs)."""


@_fields(_char("objPath", MAX_NAME_LEN), _ptr("attriArray"), _sub("condInput", KeyValPair))
class BulkOprInp(_Struct):
    """``bulkOprInp_t``: objPath (the target collection), attriArray (GenQueryOut of the
    objects' paths, offsets, ...), condInput (PREP src/types/irods/bulkDataObjPut.cpp)."""


@_fields(
    _int("l1descInx"), _int("len"), _int("whence"), _int("oprType"), _int("offset"),
    _int("bytesWritten"), _sub("condInput", KeyValPair),
)
class OpenedDataObjInp(_Struct):
    """``openedDataObjInp_t`` (no path: only the L1 descriptor index)."""


@_fields(
    _char("objPath", MAX_NAME_LEN), _char("rescName"), _char("rescHier", MAX_NAME_LEN),
    _char("dataType"), _int("dataSize"), _char("chksum", NAME_LEN), _char("version"),
    _char("filePath", MAX_NAME_LEN), _char("dataOwnerName"), _char("dataOwnerZone"),
    _int("replNum"), _int("replStatus"), _char("statusString"), _int("dataId"), _int("collId"),
    _int("dataMapId"), _int("flags"), _char("dataComments", LONG_NAME_LEN),
    _char("dataMode", SHORT_STR_LEN), _char("dataExpiry", TIME_LEN),
    _char("dataCreate", TIME_LEN), _char("dataModify", TIME_LEN), _char("dataAccess", TIME_LEN),
    _int("dataAccessInx"), _int("writeFlag"), _char("destRescName"), _char("backupRescName"),
    _char("subPath", MAX_NAME_LEN), _ptr("specColl"), _int("regUid"), _int("otherFlags"),
    _sub("condInput", KeyValPair), _char("in_pdmo", MAX_NAME_LEN), _ptr("next"), _int("rescId"),
)
class DataObjInfo(_Struct):
    """``dataObjInfo_t`` (``rei.doi``)."""


@_fields(
    _int("collId"), _char("collName", MAX_NAME_LEN), _char("collParentName", MAX_NAME_LEN),
    _char("collOwnerName"), _char("collOwnerZone"), _int("collMapId"), _int("collAccessInx"),
    _char("collComments", LONG_NAME_LEN), _char("collInheritance", LONG_NAME_LEN),
    _char("collExpiry", TIME_LEN), _char("collCreate", TIME_LEN), _char("collModify", TIME_LEN),
    _char("collAccess", TIME_LEN), _char("collType", NAME_LEN),
    _char("collInfo1", MAX_NAME_LEN), _char("collInfo2", MAX_NAME_LEN),
    _sub("condInput", KeyValPair), _ptr("next"),
)
class CollInfo(_Struct):
    """``collInfo_t`` (``rei.coi``)."""


@_fields(_char("collName", MAX_NAME_LEN), _int("flags"), _int("oprType"),
         _sub("condInput", KeyValPair))
class CollInp(_Struct):
    """``collInp_t``: collName, flags, oprType, condInput (coll_create PEPs)."""


@_fields(
    _int("objSize", writable=True), _Field("objType", "enum", default=objType.UNKNOWN_OBJ,
                                           writable=True),
    _int("dataMode", writable=True), _char("dataId", NAME_LEN), _char("chksum", NAME_LEN),
    _char("ownerName"), _char("ownerZone"), _char("createTime", TIME_LEN),
    _char("modifyTime", TIME_LEN), _ptr("specColl"), _char("rescHier", MAX_NAME_LEN),
)
class RodsObjStat(_Struct):
    """``rodsObjStat_t`` (msiObjStat output): objType is :class:`objType` (DATA_OBJ=1)."""


# ---------------------------------------------------------------------------------------------
# Users, connection, rule execution info
# ---------------------------------------------------------------------------------------------


@_fields(_char("authScheme"), _int("authFlag"), _int("flag"), _int("ppid"),
         _char("host"), _char("authStr"))
class AuthInfo(_Struct):
    """``authInfo_t`` (``UserInfo.authInfo``); authFlag 5 = LOCAL_PRIV_USER_AUTH (rodsadmin)."""


@_fields(_char("userInfo", NAME_LEN), _char("userComments", NAME_LEN),
         _char("userCreate", TIME_LEN), _char("userModify", TIME_LEN))
class UserOtherInfo(_Struct):
    """``userOtherInfo_t``."""


@_fields(_char("userName"), _char("rodsZone"), _char("userType"), _int("sysUid"),
         _sub("authInfo", AuthInfo), _sub("userOtherInfo", UserOtherInfo))
class UserInfo(_Struct):
    """``userInfo_t``: userName, rodsZone, userType, sysUid, authInfo, userOtherInfo."""


class MsParam:
    """``msParam_t`` as PREP exposes it (src/types/irods/msParam.cpp@5.0.1 L60-73): ``label``
    and ``type``, both the *label* (PREP's getter of ``type`` returns ``s->label``); the
    payload (inOutStruct, inpOutBuf) is not readable."""

    def __init__(self, label: str = "", type: str = "") -> None:
        self._label = _kvp_store(label)
        self._type = _kvp_store(type)

    @property
    def label(self) -> c_string:
        return c_string._view(self._label, len(self._label.text()) + 1)

    @property
    def type(self) -> c_string:
        return self.label

    def __repr__(self) -> str:
        return f"<irods_types.MsParam object at {id(self):#x}>"


class MsParam_pointer_array(_ReadOnlyArray):
    """``MsParamArray.msParam``: a read-only sequence of :class:`MsParam` (PREP
    ``array_ref<msParam_t*>`` with its indexing suite, msParam.cpp L75-82)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<irods_types.MsParam_pointer_array object at {id(self):#x}>"


class MsParamArray:
    """``msParamArray_t`` (msParam.cpp@5.0.1 L84-97): ``len``, ``oprType``, ``msParam``."""

    def __init__(self, params: Sequence[MsParam] = (), oprType: int = 0) -> None:
        self._params = list(params)
        self._opr_type = int(oprType)

    @property
    def len(self) -> int:
        return len(self._params)

    @property
    def oprType(self) -> int:
        return self._opr_type

    @property
    def msParam(self) -> MsParam_pointer_array:
        return MsParam_pointer_array(self._params)

    def __repr__(self) -> str:
        return f"<irods_types.MsParamArray object at {id(self):#x}>"


@_fields(_int("sin_family"), _int("sin_port"))
class Sockaddr_In(_Struct):
    """``struct sockaddr_in`` (PREP exports it as ``Sockaddr_In``). Guess: zero in the sandbox
    (no socket)."""


@_fields(_int("status"), _char("relVersion"), _char("apiVersion"), _int("reconnPort"),
         _char("reconnAddr", LONG_NAME_LEN), _int("cookie"))
class Version(_Struct):
    """``version_t`` (``RsComm.cliVersion``)."""


@_fields(
    _Field("irodsProt", "enum_prot", default=irodsProt.NATIVE_PROT),
    _int("sock"), _int("connectCnt"), _sub("localAddr", Sockaddr_In),
    _sub("remoteAddr", Sockaddr_In), _char("clientAddr"), _sub("proxyUser", UserInfo),
    _sub("clientUser", UserInfo), _ptr("myEnv"), _sub("cliVersion", Version),
    _char("option", LONG_NAME_LEN),
    _Field("procLogFlag", "enum_log", default=procLogFlag.PROC_LOG_NOT_DONE),
    _ptr("rError"), _ptr("portalOpr"), _int("apiInx"), _int("status"), _ptr("perfStat"),
    _int("windowSize"), _int("reconnFlag"), _int("reconnSock"), _int("reconnPort"),
    _int("reconnectedSock"), _int("cookie"), _ptr("thread_ctx"),
    _Field("agentState", "enum_state", default=procState.PROCESSING_STATE),
    _Field("clientState", "enum_state", default=procState.PROCESSING_STATE),
    _Field("reconnThrState", "enum_state", default=procState.PROCESSING_STATE),
    _int("gsiRequest"), _char("auth_scheme"), _int("ssl_on"),
    _char("negotiation_results", MAX_NAME_LEN), _char("shared_secret"), _int("key_size"),
    _int("salt_size"), _int("num_hash_rounds"), _char("encryption_algorithm"),
    _Field("session_props", "struct", default=KeyValPair),
)
class RsComm(_Struct):
    """``rsComm_t`` (``rei.rsComm``) with the members PREP exposes (src/types/irods/
    rcConnect.cpp@5.0.1 L234-335; lib/core/include/irods/rcConnect.h@5.0.2). PREP's quirks are
    kept: ``reconnAddr`` reads ``clientAddr``, ``ssl_do_accept``/``ssl_do_shutdown`` read
    ``ssl_on``; ``ssl_ctx``/``ssl`` have no accessor. Guess: ``myEnv``, ``rError``,
    ``perfStat`` and ``thread_ctx`` are None (the sandbox has no such state)."""


RsComm.reconnAddr = RsComm.clientAddr  # type: ignore[attr-defined]
RsComm.ssl_do_accept = RsComm.ssl_on  # type: ignore[attr-defined]
RsComm.ssl_do_shutdown = RsComm.ssl_on  # type: ignore[attr-defined]


@_fields(
    _int("status"), _char("statusStr", MAX_NAME_LEN), _char("ruleName", NAME_LEN),
    _ptr("rsComm"), _char("pluginInstanceName", MAX_NAME_LEN), _ptr("msParamArray"),
    _ptr("inOutMsParamArray"), _int("l1descInx"), _ptr("doinp"), _ptr("doi"),
    _char("rescName"), _ptr("uoic"), _ptr("uoip"), _ptr("coi"), _ptr("uoio"),
    _ptr("condInputData"), _char("ruleSet", MAX_NAME_LEN), _ptr("next"),
)
class RuleExecInfo(_Struct):
    """``ruleExecInfo_t`` (the ``rei``); pointer members may be None."""


# ---------------------------------------------------------------------------------------------
# GenQuery
# ---------------------------------------------------------------------------------------------


@_fields(
    _int("maxRows", writable=True), _int("continueInx", writable=True),
    _int("rowOffset", writable=True), _int("options", writable=True),
    _Field("condInput", "struct", default=KeyValPair, writable=True),
    _Field("selectInp", "struct", default=InxIvalPair, writable=True),
    _Field("sqlCondInp", "struct", default=InxValPair, writable=True),
)
class GenQueryInp(_Struct):
    """``genQueryInp_t``: maxRows, continueInx, rowOffset, options, condInput, selectInp,
    sqlCondInp (all read-write, as in PREP)."""

    def __init__(self) -> None:
        super().__init__()
        # Guess: the sandbox keeps the query text instead of iRODS column numbers (the GenQuery
        # engine works on names); selectInp/sqlCondInp carry the same information as names.
        object.__setattr__(self, "_columns", [])
        object.__setattr__(self, "_conditions", "")


class SqlResult:
    """``sqlResult_t``: one column of a page; ``row(r)`` -> str, ``len``, ``attriInx``."""

    def __init__(self) -> None:
        self._values: List[str] = []
        self.attriInx = 0

    @property
    def len(self) -> int:
        # Guess: iRODS' per-column buffer width (longest value + 1); nothing should rely on it.
        return max((len(v) for v in self._values), default=0) + 1

    @property
    def value(self) -> Any:
        raise RuntimeError(
            'Value cannot be directly accessed due to unknown number of rows, access the rows in '
            'value using "row" property instead.')

    def row(self, r: int) -> str:
        if isinstance(r, bool) or not isinstance(r, int) or r < 0:
            raise TypeError("row index must be a non-negative int")
        # Guess: the C++ reads past the buffer for r >= rowCnt (undefined behaviour); we raise.
        if r >= len(self._values):
            raise IndexError("row index out of range")
        return self._values[r]

    def __repr__(self) -> str:
        return f"<irods_types.SqlResult object at {id(self):#x}>"


class SqlResult_array:
    """The 50-slot ``sqlResult`` array of a GenQueryOut (only ``attriCnt`` slots are filled)."""

    _SLOTS = 50  # MAX_SQL_ATTR

    def __init__(self) -> None:
        self._cols: List[SqlResult] = [SqlResult() for _ in range(self._SLOTS)]

    def __len__(self) -> int:
        return len(self._cols)

    def __getitem__(self, i: Any) -> Any:
        return self._cols[i]

    def __iter__(self) -> Any:
        return iter(self._cols)


class GenQueryOut:
    """``genQueryOut_t``: read-only rowCnt, attriCnt, continueInx, totalRowCount, sqlResult."""

    def __init__(self) -> None:
        self._row_cnt = 0
        self._attri_cnt = 0
        self._continue_inx = 0
        self._total_row_count = 0
        self._sql = SqlResult_array()

    rowCnt = property(lambda self: self._row_cnt)
    attriCnt = property(lambda self: self._attri_cnt)
    continueInx = property(lambda self: self._continue_inx)
    totalRowCount = property(lambda self: self._total_row_count)
    sqlResult = property(lambda self: self._sql)

    def __repr__(self) -> str:
        return f"<irods_types.GenQueryOut object at {id(self):#x}>"


def _make_gen_query_inp(columns: Sequence[str], conditions: str = "", *, max_rows: int = 256,
                        options: int = 0, row_offset: int = 0,
                        continue_inx: int = 0) -> GenQueryInp:
    """A GenQueryInp as msiMakeGenQuery leaves it (``columns`` are the literal select items)."""
    gqi = GenQueryInp()
    _gq_set_query(gqi, columns, conditions)
    gqi._v.update(maxRows=int(max_rows), options=int(options), rowOffset=int(row_offset),
                  continueInx=int(continue_inx))
    return gqi


def _gq_set_query(gqi: GenQueryInp, columns: Sequence[str], conditions: str) -> None:
    """Store the select items and the condition text in ``gqi`` (and its selectInp/sqlCondInp)."""
    cols = [str(c) for c in columns]
    object.__setattr__(gqi, "_columns", cols)
    object.__setattr__(gqi, "_conditions", str(conditions))
    sel = InxIvalPair()
    sel._v["len"] = len(cols)
    object.__setattr__(sel, "_inx", list(range(len(cols))))
    object.__setattr__(sel, "_val", [1] * len(cols))
    gqi._v["selectInp"] = sel
    cond = InxValPair()
    if conditions:
        cond._v["len"] = 1
        object.__setattr__(cond, "_inx", [0])
        object.__setattr__(cond, "_val", [_kvp_store(str(conditions))])
    gqi._v["sqlCondInp"] = cond


def _gq_query(gqi: GenQueryInp) -> Tuple[List[str], str]:
    """``(columns, conditions)`` stored in ``gqi`` by :func:`_make_gen_query_inp`."""
    return list(getattr(gqi, "_columns", [])), str(getattr(gqi, "_conditions", ""))


def _make_gen_query_out(rows: Sequence[Sequence[str]], attri_cnt: Optional[int] = None, *,
                        continue_inx: int = 0, total_row_count: int = 0,
                        attri_inx: Optional[Sequence[int]] = None) -> GenQueryOut:
    """A GenQueryOut holding ``rows`` (row-major lists of str) for ``attri_cnt`` columns."""
    gqo = GenQueryOut()
    ncols = attri_cnt if attri_cnt is not None else (len(rows[0]) if rows else 0)
    gqo._row_cnt = len(rows)
    gqo._attri_cnt = int(ncols)
    gqo._continue_inx = int(continue_inx)
    gqo._total_row_count = int(total_row_count)
    for c in range(ncols):
        col = gqo._sql._cols[c]
        col._values = [str(row[c]) for row in rows]
        if attri_inx is not None:
            col.attriInx = int(attri_inx[c])
    return gqo


def _gq_rows(gqo: GenQueryOut) -> List[List[str]]:
    """The rows of ``gqo`` as lists of str (row-major)."""
    cols = gqo._sql._cols[: gqo._attri_cnt]
    return [[c._values[r] for c in cols] for r in range(gqo._row_cnt)]


# ---------------------------------------------------------------------------------------------
# Buffers and transfer structs
# ---------------------------------------------------------------------------------------------


class BytesBuf:
    """``bytesBuf_t``: ``len``, ``buf`` (char_array or None), get/set helpers."""

    def __init__(self) -> None:
        self._data = b""

    @property
    def len(self) -> int:
        return len(self._data)

    @property
    def buf(self) -> Optional[char_array]:
        if not self._data:
            return None
        return char_array._view(_CharStore(len(self._data) + 1, self._data.decode("latin-1")),
                                len(self._data))

    def get_byte(self, n: int) -> int:
        if n < 0 or n >= len(self._data):
            raise IndexError("BytesBuf out-of-range access")
        return self._data[n]

    def get_bytes(self) -> List[int]:
        return list(self._data)

    def set_buffer(self, seq: Any, n: int = -1) -> None:
        if n < 0:
            n = len(seq)
        out = bytearray()
        for i in range(n):
            item = seq[i]
            if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 255:
                # Guess: Boost's extract<unsigned char> only accepts ints in range.
                raise TypeError(f"No registered converter to unsigned char from {item!r}")
            out.append(item)
        self._data = bytes(out)

    def clear_buffer(self) -> None:
        self._data = b""

    def __repr__(self) -> str:
        return f"<irods_types.BytesBuf object at {id(self):#x}>"


def _make_bytes_buf(data: bytes) -> BytesBuf:
    """A BytesBuf holding ``data``."""
    buf = BytesBuf()
    buf._data = bytes(data)
    return buf


def _bytes_of(buf: BytesBuf) -> bytes:
    """The content of a BytesBuf."""
    return bytes(buf._data)


@_fields(_int("portNum"), _int("cookie"), _int("sock"), _int("windowSize"), _char("hostAddr"))
class PortList(_Struct):
    """``portList_t``."""


@_fields(_int("status"), _int("l1descInx"), _int("numThreads"), _char("chksum", NAME_LEN),
         _sub("portList", PortList))
class PortalOprOut(_Struct):
    """``portalOprOut_t`` (third argument of data_obj_put PEPs for parallel transfers)."""


class TransferStat(_Struct):
    """``transferStat_t``. PREP maps its properties wrongly: ``len`` gives ``flags`` (the second
    definition wins) and ``offset`` gives ``bytesWritten``; numThreads is not reachable."""

    _FIELDS = (_int("numThreads"), _int("flags"), _int("bytesWritten"))
    _BY_NAME = {f.name: f for f in _FIELDS}

    len = property(lambda self: self._v["flags"])
    offset = property(lambda self: self._v["bytesWritten"])

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        raise AttributeError("can't set attribute")


@_fields(_int("offset"))
class FileLseekOut(_Struct):
    """``fileLseekOut_t``: offset."""


fileLseekOut = FileLseekOut


@_fields(_ptr("stdoutBuf"), _ptr("stderrBuf"), _int("status"))
class ExecCmdOut(_Struct):
    """``execCmdOut_t``; PREP cannot marshal it as a callback argument (msiExecCmd is unusable)."""


class PluginContext:
    """The plugin context of API/resource PEPs: ``map()`` -> dict of str, ``rule_results``."""

    def __init__(self) -> None:
        self._map: Dict[str, str] = {}
        self.rule_results = ""

    def map(self) -> Dict[str, str]:
        return dict(self._map)

    def __repr__(self) -> str:
        return f"<irods_types.PluginContext object at {id(self):#x}>"


class HierarchyParser:
    """``irods::hierarchy_parser`` as PREP exposes it (src/types/irods/
    irods_hierarchy_parser.cpp@5.0.1 L36-38): no constructor, one read-only property ``str``
    (the hierarchy, ``a;b;c``)."""

    def __init__(self) -> None:
        raise RuntimeError("This class cannot be instantiated from Python")

    @property
    def str(self) -> str:
        return str(self.__dict__.get("_hier", ""))

    def __repr__(self) -> str:
        return f"<irods_types.HierarchyParser object at {id(self):#x}>"


class Stat:
    """``struct stat`` as PREP exposes it (src/types/system/sys/stat.cpp@5.0.1 L24-28): a class
    with no constructor and no members."""

    def __init__(self) -> None:
        raise RuntimeError("This class cannot be instantiated from Python")

    def __repr__(self) -> str:
        return f"<irods_types.Stat object at {id(self):#x}>"


def _make_hierarchy_parser(hierarchy: str = "") -> HierarchyParser:
    """A HierarchyParser holding ``hierarchy``."""
    parser = HierarchyParser.__new__(HierarchyParser)
    parser.__dict__["_hier"] = hierarchy
    return parser


def _make_stat() -> Stat:
    """A Stat (what a stat PEP receives)."""
    return Stat.__new__(Stat)


def _make_plugin_context(values: Mapping[str, Any], rule_results: str = "") -> PluginContext:
    """A PluginContext whose ``map()`` returns ``values`` (converted to str)."""
    ctx = PluginContext()
    ctx._map = {str(k): str(v) for k, v in values.items()}
    ctx.rule_results = rule_results
    return ctx


# ---------------------------------------------------------------------------------------------
# Generic factories used by the runtime
# ---------------------------------------------------------------------------------------------


def _fill(obj: Any, **values: Any) -> Any:
    """Set fields of a struct wrapper regardless of PREP's read-only flags; returns ``obj``.

    char fields take str; KeyValPair fields also take a mapping; struct fields take an object of
    the right class. Raises AttributeError for an unknown field name.
    """
    fields = type(obj)._BY_NAME
    for name, value in values.items():
        field = fields.get(name)
        if field is None:
            raise AttributeError(f"{type(obj).__name__} has no field {name!r}")
        if field.kind == "char":
            obj._v[name].set("" if value is None else str(value))
        elif field.kind == "struct" and field.default is KeyValPair and not isinstance(
                value, KeyValPair):
            obj._v[name] = _make_kvp(value or ())
        else:
            obj._v[name] = _coerce(field, value, strict=False) if value is not None else (
                field.initial())
    return obj


def _new(cls: type, **values: Any) -> Any:
    """A new ``cls()`` with ``values`` filled in by :func:`_fill`."""
    return _fill(cls(), **values)


def _get(obj: Any, name: str) -> Any:
    """A field as a plain Python value (char fields as str)."""
    value = obj._v[name]
    return value.text() if isinstance(value, _CharStore) else value


def _copy(obj: Any) -> Any:
    """A deep copy (PREP hands rules copies of the server's structs)."""
    return copy.deepcopy(obj)


def _make_data_obj_inp(objPath: str = "", condInput: Any = (), **values: Any) -> DataObjInp:
    """A DataObjInp for ``objPath`` with ``condInput`` (mapping or pairs) and other fields."""
    return _new(DataObjInp, objPath=objPath, condInput=condInput, **values)


def _make_data_obj_copy_inp(src: str, dest: str, condInput: Any = ()) -> DataObjCopyInp:
    """A DataObjCopyInp from ``src`` to ``dest`` (condInput goes on the destination input)."""
    return _new(DataObjCopyInp, srcDataObjInp=_make_data_obj_inp(src),
                destDataObjInp=_make_data_obj_inp(dest, condInput))


def _make_coll_inp(collName: str, flags: int = 0, condInput: Any = ()) -> CollInp:
    """A CollInp for ``collName``."""
    return _new(CollInp, collName=collName, flags=flags, condInput=condInput)


def _make_user_info(name: str, zone: str, user_type: str = "rodsuser",
                    auth_flag: Optional[int] = None) -> UserInfo:
    """A UserInfo; ``auth_flag`` defaults to 5 for rodsadmin and 3 otherwise.

    iRODS authFlag values: LOCAL_PRIV_USER_AUTH 5, REMOTE_PRIV_USER_AUTH 4, LOCAL_USER_AUTH 3,
    REMOTE_USER_AUTH 2.
    """
    if auth_flag is None:
        auth_flag = 5 if user_type == "rodsadmin" else 3
    auth = _new(AuthInfo, authScheme="native", authFlag=auth_flag, host="localhost")
    return _new(UserInfo, userName=name, rodsZone=zone, userType=user_type, authInfo=auth)


def _make_rs_comm(client: UserInfo, proxy: Optional[UserInfo] = None,
                  client_addr: str = "127.0.0.1", api_inx: int = 0) -> RsComm:
    """An RsComm for ``client`` (proxy defaults to a copy of the client)."""
    return _new(RsComm, clientUser=client, proxyUser=proxy if proxy is not None else _copy(client),
                clientAddr=client_addr, apiInx=api_inx, connectCnt=1, option="")


def _make_obj_stat(obj_type: int, size: int = 0, data_id: str = "", chksum: str = "",
                   owner_name: str = "", owner_zone: str = "", create_time: str = "",
                   modify_time: str = "", resc_hier: str = "", data_mode: int = 0) -> RodsObjStat:
    """A RodsObjStat as msiObjStat fills it."""
    return _new(RodsObjStat, objType=obj_type, objSize=size, dataId=data_id, chksum=chksum,
                ownerName=owner_name, ownerZone=owner_zone, createTime=create_time,
                modifyTime=modify_time, rescHier=resc_hier, dataMode=data_mode)


def _make_rei(*, client: Optional[UserInfo] = None, proxy: Optional[UserInfo] = None,
              plugin_instance_name: str = "irods_rule_engine_plugin-python-instance",
              doinp: Optional[DataObjInp] = None, doi: Optional[DataObjInfo] = None,
              coi: Optional[CollInfo] = None, cond_input: Any = None, status: int = 0,
              rule_name: str = "", resc_name: str = "") -> RuleExecInfo:
    """A RuleExecInfo with rsComm/uoic/uoip built from ``client``/``proxy`` (None if no client)."""
    rs_comm = _make_rs_comm(client, proxy) if client is not None else None
    kvp = None
    if cond_input is not None:
        kvp = cond_input if isinstance(cond_input, KeyValPair) else _make_kvp(cond_input)
    return _new(RuleExecInfo, status=status, rsComm=rs_comm,
                pluginInstanceName=plugin_instance_name, doinp=doinp, doi=doi, coi=coi,
                uoic=rs_comm.clientUser if rs_comm is not None else None,
                uoip=rs_comm.proxyUser if rs_comm is not None else None,
                condInputData=kvp, ruleName=rule_name, rescName=resc_name)


#: Classes the callback marshals as msParams, in PREP's conversion order (prep-runtime.md §2.2).
_MSPARAM_TYPES: Tuple[type, ...] = (GenQueryInp, GenQueryOut, KeyValPair, FileLseekOut,
                                    RodsObjStat, BytesBuf)
