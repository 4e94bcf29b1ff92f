-- AlterTable
ALTER TABLE "InboxEvent" ADD COLUMN "cursor" TEXT;
ALTER TABLE "InboxEvent" ADD COLUMN "nextAttemptAt" DATETIME;
ALTER TABLE "InboxEvent" ADD COLUMN "reportedAt" DATETIME;

-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "claimedBy" TEXT;
ALTER TABLE "OutboxMessage" ADD COLUMN "leaseUntil" DATETIME;

-- CreateIndex
CREATE INDEX "InboxEvent_status_nextAttemptAt_idx" ON "InboxEvent"("status", "nextAttemptAt");

