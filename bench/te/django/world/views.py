"""The TechEmpower test types, written as Django views."""
from operator import attrgetter
from random import randint

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from .models import Fortune, World

WORLD_ROWS = 10000


def _count(request, name):
    try:
        n = int(request.GET.get(name, ""))
    except ValueError:
        return 1
    return min(max(n, 1), 500)


def _random_id():
    return randint(1, WORLD_ROWS)


def _as_dict(w):
    return {"id": w.id, "randomNumber": w.randomnumber}


def plaintext(request):
    return HttpResponse(b"Hello, World!", content_type="text/plain")


def json_message(request):
    return JsonResponse({"message": "Hello, World!"})


def db(request):
    return JsonResponse(_as_dict(World.objects.get(id=_random_id())))


def queries(request):
    worlds = [World.objects.get(id=_random_id()) for _ in range(_count(request, "queries"))]
    return JsonResponse([_as_dict(w) for w in worlds], safe=False)


def fortunes(request):
    fortunes = list(Fortune.objects.all())
    fortunes.append(Fortune(id=0, message="Additional fortune added at request time."))
    fortunes.sort(key=attrgetter("message"))
    return render(request, "fortunes.html", {"fortunes": fortunes})


def updates(request):
    worlds = [World.objects.get(id=_random_id()) for _ in range(_count(request, "queries"))]
    for w in worlds:
        w.randomnumber = _random_id()
    # One statement, rows in key order; an id drawn twice keeps its last number.
    last = {w.id: w for w in worlds}
    World.objects.bulk_update([last[i] for i in sorted(last)], ["randomnumber"])
    return JsonResponse([_as_dict(w) for w in worlds], safe=False)


def cached_queries(request):
    keys = ["world:%d" % _random_id() for _ in range(_count(request, "count"))]
    hits = cache.get_many(keys)
    missing = {int(k[6:]) for k in keys if k not in hits}
    if missing:
        fill = {"world:%d" % w.id: _as_dict(w) for w in World.objects.filter(id__in=missing)}
        cache.set_many(fill, timeout=None)
        hits.update(fill)
    return JsonResponse([hits[k] for k in keys], safe=False)
