"""`flask media migrate --to s3`: copy this host's media into the bucket before (and just
after) switching MEDIA_STORAGE to s3 (docs/operations.md)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.services.media import media_migration
from app.services.media.local_storage import LocalMediaStorage
from app.services.media.s3_storage import S3MediaStorage
from app.services.media.storage_base import MediaStorageError

media = AppGroup("media", help="Where photos and videos are kept.")


@media.command("migrate")
@click.option(
    "--to",
    "destination",
    required=True,
    type=click.Choice(["s3"]),
    help="Where to copy the files: the bucket the MEDIA_S3_* settings name.",
)
@click.option("--dry-run", is_flag=True, help="List what would be copied; copy nothing.")
def migrate(destination: str, dry_run: bool) -> None:
    """Copy every file under MEDIA_ROOT into the bucket, each in its area (public or
    private). Files already there are skipped, so it is safe to run again, and a run that
    was cut short is finished by the next. Local files are left in place.

    Run it again once MEDIA_STORAGE=s3 is running, for the files written meanwhile; where
    the disk and the bucket then disagree on a key's area, the key ends private."""
    config = current_app.config
    if not config.get("MEDIA_S3_BUCKET"):
        raise click.ClickException(
            "MEDIA_S3_BUCKET is not set: set the MEDIA_S3_* settings of the bucket first."
        )
    source = LocalMediaStorage(config["MEDIA_ROOT"])
    target = S3MediaStorage.from_config(config)
    bucket_in_use = config["MEDIA_STORAGE"] == "s3"
    try:
        planned = media_migration.plan(source, target, bucket_in_use=bucket_in_use)
    except MediaStorageError as error:
        raise click.ClickException(
            f"Could not read the bucket (check the MEDIA_S3_* settings): {error}"
        ) from None
    if dry_run:
        _list(planned)
        return
    with click.progressbar(length=len(planned.copy), label="Copying media") as bar:
        outcome = media_migration.migrate(
            source, target, planned, progress=lambda located, size: bar.update(1)
        )
    for failure in outcome.failures:
        click.echo(f"Failed: {failure}", err=True)
    click.echo(
        f"Copied {_files(outcome.copied)} ({_size(outcome.copied_bytes)}), "
        f"skipped {planned.skipped} already in the bucket, {len(outcome.failures)} failed."
    )
    _explain_areas(planned, cleared=outcome.cleared)
    if outcome.failures:
        raise click.ClickException("Some files failed (above): run the command again.")
    click.echo(
        f"The files under {source.root} were left in place. "
        + (
            "MEDIA_STORAGE is s3: once a run copies nothing, remove its public/ and private/ "
            "folders."
            if bucket_in_use
            else "Switch MEDIA_STORAGE to s3, restart, run this once more, then remove its "
            "public/ and private/ folders."
        )
    )


def _list(planned: media_migration.Plan) -> None:
    for located, size in planned.copy:
        click.echo(f"Would copy {media_migration.describe(located)} ({_size(size)})")
    for key, public in planned.clear:
        click.echo(f"Would remove {media_migration.area_name(public)}/{key}/ from the bucket")
    click.echo(
        f"Would copy {_files(len(planned.copy))} ({_size(planned.size)}), "
        f"skip {planned.skipped} already in the bucket. Nothing was copied (--dry-run)."
    )
    if planned.held_private:
        click.echo(
            f"Would leave out {_files(planned.held_private)} public on disk: the bucket, in "
            "use, holds them privately."
        )


def _explain_areas(planned: media_migration.Plan, *, cleared: int) -> None:
    if cleared:
        click.echo(
            f"Removed {cleared} keys' files from the bucket's other area (they moved since)."
        )
    if planned.held_private:
        click.echo(
            f"Left out {_files(planned.held_private)} public on disk: the bucket, in use, "
            "holds them privately."
        )


def _files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"


def _size(size: int) -> str:
    """``35.2 MB``, decimal (app/views/filters.py's ``filesize`` is the pages', not the CLI's)."""
    if size < 1000:
        return f"{size} bytes"
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"
