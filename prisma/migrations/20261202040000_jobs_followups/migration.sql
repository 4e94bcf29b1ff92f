-- AlterTable
ALTER TABLE "Result" ADD COLUMN "confirmedOn" TEXT;
ALTER TABLE "Result" ADD COLUMN "publicityDueUncovered" INTEGER;

-- AlterTable (added columns only, so sibling migrations touching FollowUp merge cleanly)
ALTER TABLE "FollowUp" ADD COLUMN "owner" TEXT NOT NULL DEFAULT '';
ALTER TABLE "FollowUp" ADD COLUMN "openedOn" TEXT;
ALTER TABLE "FollowUp" ADD COLUMN "dueUncovered" INTEGER;
ALTER TABLE "FollowUp" ADD COLUMN "outcome" TEXT;
ALTER TABLE "FollowUp" ADD COLUMN "details" TEXT NOT NULL DEFAULT '{}';
ALTER TABLE "FollowUp" ADD COLUMN "parentId" INTEGER;

-- CreateTable
CREATE TABLE "JobSend" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "job" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "outboxKey" TEXT NOT NULL,
    "at" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "JobSend_job_recipient_day_key" ON "JobSend"("job", "recipient", "day");

-- Backfill: follow-ups opened before owners were recorded belong to their target's current team.
UPDATE "FollowUp" SET "owner" = COALESCE((
    SELECT group_concat(a."inspectorId", ';') FROM "Assignment" a
    JOIN "Result" r ON r."drawId" = a."drawId" AND r."targetId" = a."targetId"
    WHERE r."id" = "FollowUp"."resultId" AND a."status" <> 'recused'
), '');
