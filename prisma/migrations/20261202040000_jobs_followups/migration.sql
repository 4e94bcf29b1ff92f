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
