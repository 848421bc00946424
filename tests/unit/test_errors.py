import pytest

from b2safe import errors
from b2safe.errors import (
    AccessDenied,
    AdminRequired,
    IrodsCallError,
    NotFound,
    code_from_text,
    error_for_code,
    from_server_error,
    irods_error_text,
)


@pytest.mark.parametrize(
    "code,cls",
    [
        (-310000, NotFound), (-817000, NotFound), (-814000, NotFound), (-808000, NotFound),
        (-818000, AccessDenied), (-818013, AccessDenied), (-830000, AdminRequired),
        (-13000, AdminRequired), (-314000, errors.IntegrityError),
        (-401000, errors.SizeMismatch), (-25000, errors.ConfigError),
        (-1102000, IrodsCallError), (-1, IrodsCallError),
    ],
)
def test_class_by_code(code, cls):
    assert error_for_code(code) is cls


def test_every_class_has_a_negative_code():
    for obj in vars(errors).values():
        if isinstance(obj, type) and issubclass(obj, errors.B2SafeError):
            assert obj.code < 0, obj


def test_server_error_translation_keeps_code_and_operation():
    exc = RuntimeError(
        "[iRods__Error__Code:-817000] [-]\tsrc/x.cpp:12:fn :  status [CAT_UNKNOWN_FILE]  errno [] "
        "-- message [exec_microservice_adapter failed]\n\n"
    )
    err = from_server_error(exc, "msiDataObjChksum")
    assert isinstance(err, NotFound)
    assert err.code == -817000
    assert "msiDataObjChksum" in str(err)


def test_unknown_server_text_is_internal():
    err = from_server_error(RuntimeError("boost::bad_any_cast: failed conversion"), "msiExecCmd")
    assert isinstance(err, IrodsCallError)
    assert err.code == errors.SYS_INTERNAL_ERR
    assert err.operation == "msiExecCmd"


def test_error_text_round_trips():
    assert code_from_text(irods_error_text(-818000, "no")) == -818000
    assert code_from_text("nothing here") is None


def test_code_constants_match_the_irods_error_table():
    """Every code b2safe names must equal the iRODS header's value (the sandbox table)."""
    from b2safe_sandbox.runtime import irods_errors

    for name in dir(errors):
        value = getattr(errors, name)
        if name.isupper() and isinstance(value, int) and not name.startswith("_"):
            assert getattr(irods_errors, name) == value, name
