"""The worker's edge: where background work commits, as core/database.py is the request's.

    command.py         `flask worker`: the jobs on their schedules, a clean stop on SIGTERM
    scheduler.py       the loop: intervals, the stop, patience while the database is away
    jobs.py            the jobs: claim a unit, do it, commit it, take the next
    exports.py         a data export in three committed steps (claim, build, outcome)
    videos.py          posts waiting for their videos: claim, transcode and post
    maintenance.py     the maintenance run, a commit per step (and per deleted account)
    scheduled_jobs.py  claims that let one worker of many run a periodic job
    after_commit.py    units that follow a committed one (email, reset links, media)

Services flush, never commit; the loops here call them and commit each unit. CLI
commands (`flask outbox send`, `flask exports build`, `flask maintenance run`) run
the same loops once.
"""
