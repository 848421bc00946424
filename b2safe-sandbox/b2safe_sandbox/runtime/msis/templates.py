"""String arrays and metadata templates: msiString2StrArray, msiStrArray2String
(server/re/src/keyValPairMS.cpp@5.0.2 L246-326), the tag template microservices
(extractAvuMS.cpp@5.0.2 L57-384), msiApplyDCMetadataTemplate (miscMS.cpp L159-212) and
msiExtractNaraMetadata (reNaraMetaData.cpp L41-122).

PREP cannot hand a StrArray or a TagStruct back to Python: its object_from_msParam knows no such
type (PREP include/irods/private/re/python.hpp@5.0.1 L104-142), so from Python these
microservices fail after they ran (:func:`b2safe_sandbox.runtime.msparam.apply_outputs`); the
rule language keeps them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import USER_PARAM_TYPE_ERR, IrodsCallError
from b2safe_sandbox.runtime import dataops
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.registry import microservice
from b2safe_sandbox.runtime.rei import rei_for

NO_VALUES_FOUND = CODES["NO_VALUES_FOUND"]
INVALID_REGEXP = CODES["INVALID_REGEXP"]
UNIX_FILE_OPEN_ERR = CODES["UNIX_FILE_OPEN_ERR"]
SYS_INTERNAL_NULL_INPUT_ERR = CODES["SYS_INTERNAL_NULL_INPUT_ERR"]
USER__NULL_INPUT_ERR = CODES["USER__NULL_INPUT_ERR"]
#: The 15 Dublin Core elements msiApplyDCMetadataTemplate adds (miscMS.cpp L170-172).
DUBLIN_CORE = ("DC.Title", "DC.Creator", "DC.Subject", "DC.Description", "DC.Publisher",
               "DC.Contributor", "DC.Date", "DC.Type", "DC.Format", "DC.Identifier",
               "DC.Source", "DC.Language", "DC.Relation", "DC.Coverage", "DC.Rights")
#: NARA_META_DATA_FILE (server/re/include/irods/reNaraMetaData.hpp@5.0.2 L18), read from the
#: server's config/reConfigs (lib/core/src/irods_get_full_path_for_config_file.cpp L38-59).
NARA_META_DATA_FILE = "naraMetaData.txt"


class StrArray(list):
    """``strArray_t`` (StrArray_MS_T): a list of strings."""


class TagStruct(list):
    """``tagStruct_t`` (TagStruct_MS_T): (preTag, postTag, keyWord) triples."""


@microservice("msiString2StrArray", 2, inputs={0: "str"}, outputs={1: "STRARRAY"})
def msi_string2_str_array(call: MsiCall) -> dict:
    """msiString2StrArray('a%b%c', StrArray_out): parseMultiStr's items, '%'-separated (empty
    ones dropped) (keyValPairMS.cpp L246-271)."""
    return {1: StrArray(item for item in call.text(0).split("%") if item)}


@microservice("msiStrArray2String", 2, inputs={0: "any"}, outputs={1: "STR"})
def msi_str_array2_string(call: MsiCall) -> dict:
    """msiStrArray2String(StrArray, str_out): the items joined with '%' (keyValPairMS.cpp
    L304-326). Guess: any other input (the server reads its bytes as a strArray_t) is
    USER_PARAM_TYPE_ERR."""
    items = call.args[0]
    if not isinstance(items, list):
        raise IrodsCallError("msiStrArray2String needs a StrArray", code=USER_PARAM_TYPE_ERR)
    return {1: "%".join(str(item) for item in items)}


def _buffer_text(value: Any) -> str:
    """The text of a BytesBuf argument; USER_PARAM_TYPE_ERR for anything else."""
    if not isinstance(value, T.BytesBuf):
        raise IrodsCallError("a BytesBuf is needed", code=USER_PARAM_TYPE_ERR)
    return T._bytes_of(value).split(b"\0", 1)[0].decode("utf-8", errors="replace")


def _regex(pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error:
        raise IrodsCallError(f"invalid regular expression {pattern!r}",
                             code=INVALID_REGEXP) from None


_TEMPLATE = re.compile(r"<PRETAG>(.*?)</PRETAG>(.*?)<POSTTAG>(.*?)</POSTTAG>", re.S)


@microservice("msiReadMDTemplateIntoTagStruct", 2, inputs={0: "any"}, outputs={1: "TAGSTRUCT"})
def msi_read_md_template_into_tag_struct(call: MsiCall) -> dict:
    """msiReadMDTemplateIntoTagStruct(BytesBuf, TagStruct_out): every
    ``<PRETAG>x</PRETAG>keyword<POSTTAG>y</POSTTAG>`` of the template; none NO_VALUES_FOUND
    (extractAvuMS.cpp L57-160)."""
    tags = TagStruct((m.group(1), m.group(3), m.group(2))
                     for m in _TEMPLATE.finditer(_buffer_text(call.args[0])))
    if not tags:
        raise IrodsCallError("no tags in the template", code=NO_VALUES_FOUND)
    return {1: tags}


@microservice("msiExtractTemplateMDFromBuf", 3, inputs={0: "any", 1: "any"},
              outputs={2: "KVP"})
def msi_extract_template_md_from_buf(call: MsiCall) -> dict:
    """msiExtractTemplateMDFromBuf(BytesBuf, TagStruct, KeyValPair_out): for each tag, every
    text between a match of its preTag and the next match of its postTag, under its keyword
    (extractAvuMS.cpp L299-384); a tag that is no regular expression INVALID_REGEXP."""
    text = _buffer_text(call.args[0])
    tags = call.args[1]
    if not isinstance(tags, TagStruct):
        raise IrodsCallError("a TagStruct is needed", code=USER_PARAM_TYPE_ERR)
    pairs = []
    for pre, post, keyword in tags:
        start_re, end_re = _regex(pre), _regex(post)
        position = 0
        while True:
            start = start_re.search(text, position)
            if start is None:
                break
            end = end_re.search(text, start.end())
            if end is None:
                break
            pairs.append((keyword, text[start.end():end.start()]))
            position = end.end()
            if position >= len(text):
                break
    return {2: T._make_kvp(pairs)}


@microservice("msiGetTaggedValueFromString", 3, inputs={0: "str", 1: "str"},
              outputs={2: "STR"})
def msi_get_tagged_value_from_string(call: MsiCall) -> dict:
    """msiGetTaggedValueFromString(tag, text, value_out): the text between ``<tag>`` and the
    next ``</tag>`` (both read as regular expressions: INVALID_REGEXP); no such pair, an
    empty value (extractAvuMS.cpp L197-253)."""
    tag = call.text(0)
    opening, closing = _regex(f"<{tag}>"), _regex(f"</{tag}>")
    text = call.text(1)
    start = opening.search(text)
    end = closing.search(text, start.end()) if start is not None else None
    if start is None or end is None:
        return {2: ""}
    return {2: text[start.end():end.start()]}


def _add_avu(call: MsiCall, path: str, attr: str, value: str) -> int:
    """rsModAVUMetadata 'add' on ``path`` (data object or collection); its error code or 0."""
    from b2safe_sandbox.errors import SandboxError

    try:
        _, cat = dataops.catalog_for(call.ctx, path)
        kind = "-d" if cat.data_exists(path) else "-C"
        cat.avu_add(kind, path, attr, value, "", call.actor)
    except SandboxError as exc:
        return int(exc.code)
    return 0


@microservice("msiApplyDCMetadataTemplate", 2, inputs={0: "str"}, outputs={1: "INT"})
def msi_apply_dc_metadata_template(call: MsiCall) -> dict:
    """msiApplyDCMetadataTemplate(path, status_out): the 15 Dublin Core attributes with value
    " " on ``path``; the status of the last one is both the output and the return
    (miscMS.cpp L159-212)."""
    status = 0
    for attr in DUBLIN_CORE:
        status = _add_avu(call, call.text(0), attr, " ")
    if status < 0:
        raise IrodsCallError(f"msiApplyDCMetadataTemplate: {status}", code=status)
    return {1: status}


@microservice("msiExtractNaraMetadata", 0)
def msi_extract_nara_metadata(call: MsiCall) -> dict:
    """msiExtractNaraMetadata(): for each line ``path|attr|value`` of the zone's
    ``etc/irods/reConfigs/naraMetaData.txt`` (the server's config/reConfigs) whose path is
    rei.doi's, add the AVU (reNaraMetaData.cpp L41-122); no file UNIX_FILE_OPEN_ERR (Guess:
    the sandbox's stand-in for the server's config directory); an AVU that fails is only
    logged. Guess: without a rei.doi SYS_INTERNAL_NULL_INPUT_ERR (the server dereferences
    NULL)."""
    path = Path(call.sandbox.zone(call.ctx.zone).config_dir) / "reConfigs" / NARA_META_DATA_FILE
    try:
        lines = path.read_text().splitlines(keepends=True)
    except OSError:
        raise IrodsCallError(f"cannot open {path}", code=UNIX_FILE_OPEN_ERR) from None
    doi = rei_for(call.ctx).doi
    if doi is None and lines:
        raise IrodsCallError("msiExtractNaraMetadata: no rei.doi",
                             code=SYS_INTERNAL_NULL_INPUT_ERR)
    for line in lines:
        matched, attr = False, ""
        for counter, token in enumerate(t for t in line.split("|") if t):
            matched = matched or token == str(doi.objPath)
            if counter == 1:
                attr = token
            if matched and counter == 2:
                status = _add_avu(call, str(doi.objPath), attr, token)
                if status < 0:
                    call.sandbox.log(call.ctx.zone, f"rsModAVUMetadata failed: {status}")
    return {}
