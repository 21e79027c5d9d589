"""decisions.engine: the rules of democratic decisions, as a pure library.

Consent, sociocratic consent and election, majority and SCIC multi-college voting, with
quorum, convocations and deadlines, and the attendance of general assemblies (proxies,
remote members, postal votes, member vote weights). Standard library only, no I/O, no
clock: a case goes in, a result comes out, with its numbers and a plain-language
explanation::

    from decisions.engine import evaluate, load_case
    result = evaluate(load_case(case_json))
    result.outcome, result.text("fr")
"""

from .cases import dump_case as dump_case
from .cases import load_case as load_case
from .cases import parse_case_text as parse_case_text
from .errors import CaseError as CaseError
from .errors import EngineError as EngineError
from .explain import Step as Step
from .explain import render as render
from .model import OUTSIDE_SEARCH as OUTSIDE_SEARCH
from .model import UNLIMITED as UNLIMITED
from .model import AbsentPolicy as AbsentPolicy
from .model import Amend as Amend
from .model import Ballot as Ballot
from .model import Ballots as Ballots
from .model import Base as Base
from .model import ByConvocation as ByConvocation
from .model import Case as Case
from .model import Change as Change
from .model import College as College
from .model import CollegeHeadCount as CollegeHeadCount
from .model import CollegeHeads as CollegeHeads
from .model import CollegeMethod as CollegeMethod
from .model import CollegeRefusal as CollegeRefusal
from .model import CollegeTallies as CollegeTallies
from .model import ConfigError as ConfigError
from .model import Convocation as Convocation
from .model import ConvocationCheck as ConvocationCheck
from .model import CountedTally as CountedTally
from .model import Electorate as Electorate
from .model import EmptyCollegePolicy as EmptyCollegePolicy
from .model import Event as Event
from .model import FacilitatorProposal as FacilitatorProposal
from .model import Family as Family
from .model import HeadCount as HeadCount
from .model import Member as Member
from .model import Mode as Mode
from .model import Nomination as Nomination
from .model import ObjectionQualified as ObjectionQualified
from .model import ObjectionWithdrawn as ObjectionWithdrawn
from .model import Outcome as Outcome
from .model import PhaseMark as PhaseMark
from .model import Position as Position
from .model import PositionTaken as PositionTaken
from .model import PostalOnAmended as PostalOnAmended
from .model import ProxyRefusal as ProxyRefusal
from .model import Qualification as Qualification
from .model import Quorum as Quorum
from .model import QuorumScope as QuorumScope
from .model import RejectionReason as RejectionReason
from .model import Roll as Roll
from .model import RoundOpen as RoundOpen
from .model import SilencePolicy as SilencePolicy
from .model import Tally as Tally
from .model import Threshold as Threshold
from .model import ThresholdName as ThresholdName
from .model import UnreasonedObjectionPolicy as UnreasonedObjectionPolicy
from .model import Votes as Votes
from .params import CollegeParams as CollegeParams
from .params import ConsentParams as ConsentParams
from .params import ElectionParams as ElectionParams
from .params import MajorityParams as MajorityParams
from .params import Params as Params
from .params import SociocraticParams as SociocraticParams
from .presets import PRESETS as PRESETS
from .presets import Preset as Preset
from .results import AttendanceCounts as AttendanceCounts
from .results import CollegeOutcome as CollegeOutcome
from .results import CollegeResult as CollegeResult
from .results import ConsentCounts as ConsentCounts
from .results import ConsentResult as ConsentResult
from .results import ElectionResult as ElectionResult
from .results import MajorityResult as MajorityResult
from .results import RefusedPostal as RefusedPostal
from .results import RefusedProxy as RefusedProxy
from .results import RejectedBallot as RejectedBallot
from .results import RejectedEvent as RejectedEvent
from .results import Result as Result
from .results import RoundResult as RoundResult
from .results import SociocraticResult as SociocraticResult
from .rules import RULES as RULES
from .rules import Rule as Rule
from .rules import evaluate as evaluate
from .rules.college import check_colleges as check_colleges
from .timing import Window as Window
