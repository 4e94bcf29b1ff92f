-- CreateTable
CREATE TABLE "InboxEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "dedupKey" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "receivedAt" DATETIME NOT NULL,
    "processedAt" DATETIME
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "idemKey" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "receiveIdType" TEXT,
    "receiveId" TEXT NOT NULL,
    "msgType" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "onSent" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "sentMessageId" TEXT,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "InboxEvent_dedupKey_key" ON "InboxEvent"("dedupKey");

-- CreateIndex
CREATE INDEX "InboxEvent_status_id_idx" ON "InboxEvent"("status", "id");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_idemKey_key" ON "OutboxMessage"("idemKey");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_nextAttemptAt_idx" ON "OutboxMessage"("status", "nextAttemptAt");
