import factory
from django.contrib.auth import get_user_model

from workshop.models import Group, Participant, Step, WorkshopSession, WorkshopTemplate


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = False


class FacilitatorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"facilitator{n}")
    is_staff = True


class TemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopTemplate

    slug = factory.Sequence(lambda n: f"workshop-{n}")
    title = factory.Sequence(lambda n: f"Workshop {n}")


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    template = factory.SubFactory(TemplateFactory)
    position = factory.Sequence(lambda n: n)
    kind = Step.Kind.CONTENT
    title = factory.Sequence(lambda n: f"Step {n}")
    body = "- first point\n- second point"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopSession

    code = factory.Sequence(lambda n: f"QR{n:04d}"[-6:].replace("0", "A").replace("1", "B"))
    title = "Test session"
    template = factory.SubFactory(TemplateFactory)
    facilitator = factory.SubFactory(FacilitatorFactory)
    base_url = "http://testserver"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    session = factory.SubFactory(SessionFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    position = factory.Sequence(lambda n: n)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    session = factory.SubFactory(SessionFactory)
    nickname = factory.Sequence(lambda n: f"Player {n}")
