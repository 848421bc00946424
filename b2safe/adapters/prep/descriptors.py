"""Open data objects of the calling agent, seen from a PEP (through microservices).

``msi_get_file_descriptor_info(fd, out)`` takes an INT and returns the JSON of the agent's L1
descriptor (irods plugins/microservices/src/get_file_descriptor_info.cpp@5.0.2 L21-49, keys
from plugins/api/src/get_file_descriptor_info.cpp L61-230): ``data_object_info.object_path``,
``data_object_input.open_flags``, ``open_type``, ``operation_type``, ``bytes_written``. It must be
called before the descriptor is freed, i.e. in ``pep_api_replica_close_pre`` (replica_close.cpp
L469 frees it) or ``pep_api_data_obj_close_pre``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from b2safe.adapters.prep.msi import call_msi, output
from b2safe.errors import InvalidInput

_O_ACCMODE = 3
_O_RDONLY = 0
#: oprType of a copy's destination (irods lib/api/include/irods/dataObjInpOut.h@5.0.2 L158-186).
COPY_DEST = 9
_MAX_JSON = 1024 * 1024


@dataclass(frozen=True)
class OpenObject:
    """What an open descriptor refers to: the data object, whether it was opened to write, and
    whether it is the destination of a copy (``operation_type`` COPY_DEST)."""

    path: str
    writing: bool
    copy_destination: bool = False


def open_object(callback: object, fd: int) -> OpenObject:
    """The data object behind the agent's descriptor ``fd``.

    Raises:
        B2SafeError: the microservice failed (descriptor not open, bad input).
        InvalidInput: the answer is not the JSON the server documents.
    """
    text = str(output(call_msi(callback, "msi_get_file_descriptor_info", int(fd), ""), 1))
    if len(text) > _MAX_JSON:
        raise InvalidInput(f"descriptor {fd}: the description is too large")
    try:
        info = json.loads(text)
        path = str((info.get("data_object_info") or {}).get("object_path") or
                   (info.get("data_object_input") or {}).get("object_path") or "")
        flags = int((info.get("data_object_input") or {}).get("open_flags", 0))
        operation = int(info.get("operation_type") or 0)
    except (AttributeError, TypeError, ValueError):
        raise InvalidInput(f"descriptor {fd}: unexpected description") from None
    return OpenObject(path=path, writing=flags & _O_ACCMODE != _O_RDONLY,
                      copy_destination=operation == COPY_DEST)


def enable_bulk_put_post_proc(callback: object) -> None:
    """Answer acBulkPutPostProcPolicy with "on": the bulk put then fires acPostProcForPut per
    object (irods server/api/src/rsBulkDataObjPut.cpp@5.0.2 L842-852, L957)."""
    call_msi(callback, "msiSetBulkPutPostProcPolicy", "on")
