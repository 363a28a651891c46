import hashlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.utils import timezone

from claims.models import Claim, Claimant, Rating, Verdict
from sources.models import Source


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class SourceFactory(factory.django.DjangoModelFactory[Source]):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Source {n}")
    body = "The sky is green. Water boils at 50 degrees."
    language = "en"
    content_hash = factory.LazyAttributeSequence(
        lambda o, n: hashlib.sha256(f"{o.body}{n}".encode()).hexdigest()
    )


class ClaimantFactory(factory.django.DjangoModelFactory[Claimant]):
    class Meta:
        model = Claimant

    name = factory.Sequence(lambda n: f"Claimant {n}")


class ClaimFactory(factory.django.DjangoModelFactory[Claim]):
    class Meta:
        model = Claim

    source = factory.SubFactory(SourceFactory)
    start = 0
    end = factory.LazyAttribute(lambda o: len(o.source.body.split(". ")[0]) + 1)
    text = factory.LazyAttribute(lambda o: o.source.body[o.start : o.end])
    position = 0
    language = "en"


# Staff users in the workflow's groups, and verdict drafts.
def staff_user(username: str, *groups: str, superuser: bool = False) -> User:
    """A staff user in `groups` (Reviewers, Editors) who can log into the admin."""
    user = UserFactory.create(username=username, is_staff=True, is_superuser=superuser)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


class VerdictFactory(factory.django.DjangoModelFactory[Verdict]):
    class Meta:
        model = Verdict

    claim = factory.SubFactory(ClaimFactory)
    rating = factory.LazyFunction(lambda: Rating.objects.get(slug="false"))
    headline = "It is not green"
    summary = "The sky is blue on a clear day."
    explanation = "Rayleigh scattering."


class PublishedVerdictFactory(factory.django.DjangoModelFactory[Verdict]):
    """A published verdict of our own on a published claim, as the workflow leaves them."""

    class Meta:
        model = Verdict
        skip_postgeneration_save = True

    claim = factory.SubFactory(ClaimFactory, status=Claim.Status.PUBLISHED)
    rating = factory.LazyFunction(lambda: Rating.objects.get(slug="false"))
    headline = factory.Sequence(lambda n: f"Verdict {n}")
    summary = "The sky is blue."
    explanation = "Observation of the sky at noon shows it is blue."
    status = Verdict.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def claim_status(obj: Verdict, create: bool, extracted: object, **kwargs: object) -> None:
        """A published verdict's claim is published, as the workflow keeps them."""
        if create and obj.status == Verdict.Status.PUBLISHED:
            Claim.objects.filter(pk=obj.claim_id).update(status=Claim.Status.PUBLISHED)
            obj.claim.status = Claim.Status.PUBLISHED


def imported_review(
    text: str = "The moon is made of cheese.",
    *,
    rating: str = "False",
    publisher: str = "Check Desk",
    site: str = "checkdesk.example",
    review_url: str = "https://checkdesk.example/reviews/moon",
    headline: str = "No, the moon is rock",
) -> Verdict:
    """A claim with another fact-checker's review, stored by the importer of reviewed claims
    from a trusted origin (published on import); its verdict."""
    from sources.imports.imported import claims_create_imported
    from sources.parsers.reviewed import ImportedClaim, review_key

    item = ImportedClaim(
        key=review_key(publisher_site=site, review_url=review_url),
        text=text,
        origin=review_url,
        language="en",
        original_rating=rating,
        headline=headline,
        publisher_name=publisher,
        publisher_site=site,
        review_url=review_url,
        review_date=timezone.now(),
    )
    [result] = claims_create_imported(items=[item], trusted=True)
    assert result.claim is not None, result
    return Verdict.objects.select_related("claim", "rating").get(claim_id=result.claim)
