"""The problem as an OR-Tools vehicle routing model, searched with guided local search.

This is the textbook way to state a prize-collecting team orienteering problem in OR-Tools:
one routing vehicle per :class:`~caravan.solver.problem.Vehicle` with its own start and end node, a
time dimension (drive time plus the service time of the site left, waiting allowed, each
vehicle's cumul between its earliest start and latest end), an arc cost of ``W`` per second
of travel, and each optional site in a disjunction whose penalty is its scaled prize, so that
minimising ``W x travel + dropped prizes`` maximises ``prizes - W x travel``. Required sites
get no disjunction: the routing model must visit them.

caravan keeps it as the engine ``"routing"``: a baseline the benchmarks compare the other
engines with (``benchmarks/top.py --engine routing``), and a plan maker that needs nothing
beyond OR-Tools. It claims no bound.
"""

from __future__ import annotations

from collections.abc import Callable

from caravan.solver.problem import Problem
from caravan.solver.scaling import Scaled


def solve_routing(
    problem: Problem,
    sc: Scaled,
    *,
    time_limit: float,
    on_best: Callable[[int], None] | None = None,
) -> list[list[int]] | None:
    """Site sequences per vehicle, or None when the search finds no feasible plan in time.

    ``on_best(scaled objective)`` is called whenever the search finds a better solution.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = problem.n
    vehicles = problem.vehicles
    manager = pywrapcp.RoutingIndexManager(
        n, len(vehicles), [v.start for v in vehicles], [v.end for v in vehicles]
    )
    routing = pywrapcp.RoutingModel(manager)
    dur = problem.durations
    depots = problem.depots
    service = [0 if i in depots else int(s) for i, s in enumerate(problem.service)]
    W = int(sc.W)

    def unused(i: int, j: int) -> bool:
        # straight from a vehicle's start to its end: the vehicle stays put and, as in
        # timed_route, costs nothing, even when its start and end differ
        return routing.IsStart(i) and routing.IsEnd(j)

    def cost(i: int, j: int) -> int:
        if unused(i, j):
            return 0
        return W * int(dur[manager.IndexToNode(i), manager.IndexToNode(j)])

    def time_of(i: int, j: int) -> int:
        if unused(i, j):
            return 0
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return int(dur[a, b]) + service[a]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(cost))
    horizon = max(v.latest for v in vehicles)
    routing.AddDimension(routing.RegisterTransitCallback(time_of), horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    for k, v in enumerate(vehicles):
        clock.CumulVar(routing.Start(k)).SetRange(v.earliest, v.latest)
        clock.CumulVar(routing.End(k)).SetRange(v.earliest, v.latest)
    for site in problem.candidates:
        if site not in problem.required:
            routing.AddDisjunction([manager.NodeToIndex(site)], int(sc.prizes[site]))
    if on_best is not None:
        total = int(sum(int(sc.prizes[s]) for s in problem.candidates))
        best = [None]

        def report() -> None:
            # called for every solution the search accepts, improving or not
            value = total - routing.CostVar().Value()
            if best[0] is None or value > best[0]:
                best[0] = value
                on_best(value)

        routing.AddAtSolutionCallback(report)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    found = routing.SolveWithParameters(params)
    if found is None:
        return None
    sequences: list[list[int]] = []
    for k in range(len(vehicles)):
        order = []
        index = found.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            order.append(manager.IndexToNode(index))
            index = found.Value(routing.NextVar(index))
        sequences.append(order)
    return sequences
