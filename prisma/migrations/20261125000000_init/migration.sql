-- CreateTable
CREATE TABLE "Item" (
    "code" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "ratioBp" INTEGER NOT NULL,
    "method" TEXT NOT NULL DEFAULT '',
    "basis" TEXT NOT NULL DEFAULT '',
    "content" TEXT NOT NULL DEFAULT '',
    "requiredSpecialty" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Target" (
    "creditCode" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "risk" TEXT NOT NULL DEFAULT '中',
    "address" TEXT NOT NULL DEFAULT '',
    "legalRep" TEXT NOT NULL DEFAULT '',
    "phone" TEXT NOT NULL DEFAULT '',
    "region" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "TargetRevision" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "creditCode" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "snapshot" TEXT NOT NULL,
    "replacedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TargetRevision_creditCode_fkey" FOREIGN KEY ("creditCode") REFERENCES "Target" ("creditCode") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Inspector" (
    "certNo" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "unit" TEXT NOT NULL,
    "roles" TEXT NOT NULL,
    "specialties" TEXT NOT NULL DEFAULT '',
    "mobile" TEXT,
    "openId" TEXT,
    "status" TEXT NOT NULL DEFAULT '在岗',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Conflict" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "certNo" TEXT NOT NULL,
    "creditCode" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'import',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Holiday" (
    "date" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT ''
);

-- CreateTable
CREATE TABLE "Task" (
    "code" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "itemCode" TEXT NOT NULL,
    "startDate" TEXT NOT NULL,
    "endDate" TEXT NOT NULL,
    "ratioLowBp" INTEGER,
    "ratioMidBp" INTEGER,
    "ratioHighBp" INTEGER,
    "inspectorsPerTarget" INTEGER NOT NULL DEFAULT 2,
    "jointUnits" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Draw" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "taskCode" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "poolHash" TEXT NOT NULL,
    "paramsHash" TEXT NOT NULL,
    "commitment" TEXT NOT NULL,
    "serverSeed" TEXT NOT NULL,
    "record" TEXT NOT NULL,
    "recordHash" TEXT,
    "orderedBy" TEXT NOT NULL,
    "witnessOpenId" TEXT,
    "cancelReason" TEXT,
    "chatId" TEXT,
    "messageId" TEXT,
    "committedAt" DATETIME NOT NULL,
    "revealedAt" DATETIME,
    "cancelledAt" DATETIME,
    CONSTRAINT "Draw_taskCode_fkey" FOREIGN KEY ("taskCode") REFERENCES "Task" ("code") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Assignment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "drawId" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "targetVersion" INTEGER NOT NULL,
    "inspectorId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'assigned',
    "acceptedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Assignment_drawId_fkey" FOREIGN KEY ("drawId") REFERENCES "Draw" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Result" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "drawId" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "current" BOOLEAN NOT NULL DEFAULT true,
    "inspectionDate" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "problem" TEXT NOT NULL DEFAULT '',
    "disposal" TEXT,
    "rectifyDeadline" TEXT,
    "remark" TEXT NOT NULL DEFAULT '',
    "submittedBy" TEXT NOT NULL,
    "confirmedBy" TEXT,
    "confirmedAt" DATETIME,
    "publicityDue" TEXT,
    "publishedAt" DATETIME,
    "correctionReason" TEXT,
    "correctedBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "FollowUp" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "resultId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "dueDate" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "closedAt" DATETIME,
    "note" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FollowUp_resultId_fkey" FOREIGN KEY ("resultId") REFERENCES "Result" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Target_type_status_idx" ON "Target"("type", "status");

-- CreateIndex
CREATE UNIQUE INDEX "TargetRevision_creditCode_version_key" ON "TargetRevision"("creditCode", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Inspector_openId_key" ON "Inspector"("openId");

-- CreateIndex
CREATE UNIQUE INDEX "Conflict_certNo_creditCode_key" ON "Conflict"("certNo", "creditCode");

-- CreateIndex
CREATE INDEX "Task_year_idx" ON "Task"("year");

-- CreateIndex
CREATE INDEX "Draw_taskCode_status_idx" ON "Draw"("taskCode", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Draw_taskCode_attempt_key" ON "Draw"("taskCode", "attempt");

-- CreateIndex
CREATE INDEX "Assignment_inspectorId_status_idx" ON "Assignment"("inspectorId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Assignment_drawId_targetId_inspectorId_key" ON "Assignment"("drawId", "targetId", "inspectorId");

-- CreateIndex
CREATE INDEX "Result_publicityDue_idx" ON "Result"("publicityDue");

-- CreateIndex
CREATE UNIQUE INDEX "Result_drawId_targetId_version_key" ON "Result"("drawId", "targetId", "version");

-- CreateIndex
CREATE INDEX "FollowUp_status_dueDate_idx" ON "FollowUp"("status", "dueDate");

-- CreateIndex
CREATE UNIQUE INDEX "AuditLog_hash_key" ON "AuditLog"("hash");
