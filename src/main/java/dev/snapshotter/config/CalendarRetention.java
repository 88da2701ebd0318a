package dev.snapshotter.config;

import java.util.Optional;

import io.smallrye.config.WithConverter;

/**
 * Retention by calendar period, as restic and borg have it, shared by the directory ({@code QDRANT_SNAPSHOT_KEEP_DAILY}
 * ...) and the bucket ({@code QDRANT_SNAPSHOT_S3_KEEP_DAILY} ...): for each of the last N periods (UTC days, ISO weeks
 * from Monday, months, years) that hold a backup, the newest backup of that period is kept. Periods without a backup
 * take no place, so a pause in backups never rotates out the ones before it.
 */
public interface CalendarRetention {

    /** How many days back, counting days with a backup, to keep each day's newest ({@code ..._KEEP_DAILY}). */
    @WithConverter(KeepCount.class)
    Optional<Integer> keepDaily();

    /** The same per ISO week, Monday to Sunday in UTC ({@code ..._KEEP_WEEKLY}). */
    @WithConverter(KeepCount.class)
    Optional<Integer> keepWeekly();

    /** The same per calendar month ({@code ..._KEEP_MONTHLY}). */
    @WithConverter(KeepCount.class)
    Optional<Integer> keepMonthly();

    /** The same per calendar year ({@code ..._KEEP_YEARLY}). */
    @WithConverter(KeepCount.class)
    Optional<Integer> keepYearly();
}
