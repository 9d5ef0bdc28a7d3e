import pytest

from reports.models import Agency, Role, User

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def agencies(db) -> dict[str, Agency]:
    """A small tree: a district government above two departments, and an unrelated one."""
    zhenhai = Agency.objects.create(name="宁波市镇海区人民政府", is_government=True)
    office = Agency.objects.create(name="宁波市镇海区人民政府办公室", parent=zhenhai)
    finance = Agency.objects.create(name="宁波市镇海区金融发展服务中心", parent=zhenhai)
    weidong = Agency.objects.create(name="卫东区金融工作局")
    return {"zhenhai": zhenhai, "office": office, "finance": finance, "weidong": weidong}


def _user(username: str, role: str, agency: Agency) -> User:
    return User.objects.create_user(username, password=PASSWORD, role=role, agency=agency)


@pytest.fixture
def alice(agencies) -> User:
    """Clerk of 宁波市镇海区人民政府办公室."""
    return _user("alice", Role.CLERK, agencies["office"])


@pytest.fixture
def bob(agencies) -> User:
    """Reviewer of 宁波市镇海区人民政府办公室."""
    return _user("bob", Role.REVIEWER, agencies["office"])


@pytest.fixture
def carol(agencies) -> User:
    """Oversight at 宁波市镇海区人民政府, above alice's agency."""
    return _user("carol", Role.OVERSIGHT, agencies["zhenhai"])


@pytest.fixture
def mallory(agencies) -> User:
    """Clerk of an unrelated agency."""
    return _user("mallory", Role.CLERK, agencies["weidong"])
