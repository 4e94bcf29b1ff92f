-- CreateTable
CREATE TABLE "SandboxMessage" (
    "messageId" TEXT NOT NULL PRIMARY KEY,
    "chatId" TEXT NOT NULL,
    "receiveId" TEXT NOT NULL,
    "receiveIdType" TEXT NOT NULL,
    "senderOpenId" TEXT,
    "msgType" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "uuid" TEXT,
    "createTime" BIGINT NOT NULL,
    "updates" TEXT NOT NULL DEFAULT '[]'
);

-- CreateTable
CREATE TABLE "SandboxFile" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "fileName" TEXT NOT NULL,
    "fileType" TEXT NOT NULL,
    "bytes" BLOB NOT NULL
);

-- CreateTable
CREATE TABLE "SandboxState" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "SandboxMessage_receiveId_createTime_idx" ON "SandboxMessage"("receiveId", "createTime");

