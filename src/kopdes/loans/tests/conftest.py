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
