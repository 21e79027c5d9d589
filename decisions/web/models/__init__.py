"""The application's tables, as SQLAlchemy 2 typed models."""

from .invitation import Invitation as Invitation
from .invitation import InvitationStatus as InvitationStatus
from .organisation import Circle as Circle
from .organisation import CircleMember as CircleMember
from .organisation import College as College
from .organisation import Membership as Membership
from .organisation import Organisation as Organisation
from .organisation import Role as Role
from .user import User as User
