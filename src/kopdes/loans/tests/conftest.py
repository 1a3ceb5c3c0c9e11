import pytest

from kopdes.platform.core.testing import make_user


@pytest.fixture
def officers(koperasi):
    return {
        "maker": make_user("petugas_pinjaman", koperasi),
        "checker": make_user("ketua", koperasi),
        "payer": make_user("bendahara", koperasi),
        "kasir": make_user("kasir", koperasi),
        "pengawas": make_user("pengawas", koperasi),
    }


# Transactional tests end with a flush that the append-only triggers refuse; reuse the
# ledger's fixture that lifts them for that flush only.
from kopdes.ledger.tests.conftest import _flush_past_append_only_triggers  # noqa: E402,F401
