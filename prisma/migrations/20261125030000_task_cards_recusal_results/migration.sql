-- AlterTable
ALTER TABLE "Assignment" ADD COLUMN "cardMessageId" TEXT;

-- CreateTable
CREATE TABLE "RecusalRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "drawId" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "inspectorId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decidedBy" TEXT,
    "decisionReason" TEXT,
    "replacementId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" DATETIME
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Result" (
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
    "status" TEXT NOT NULL DEFAULT 'submitted',
    "disputeReason" TEXT,
    "confirmedBy" TEXT,
    "confirmedAt" DATETIME,
    "publicityDue" TEXT,
    "publishedAt" DATETIME,
    "correctionReason" TEXT,
    "correctedBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Result" ("category", "confirmedAt", "confirmedBy", "correctedBy", "correctionReason", "createdAt", "current", "disposal", "drawId", "id", "inspectionDate", "problem", "publicityDue", "publishedAt", "rectifyDeadline", "remark", "submittedBy", "targetId", "version") SELECT "category", "confirmedAt", "confirmedBy", "correctedBy", "correctionReason", "createdAt", "current", "disposal", "drawId", "id", "inspectionDate", "problem", "publicityDue", "publishedAt", "rectifyDeadline", "remark", "submittedBy", "targetId", "version" FROM "Result";
DROP TABLE "Result";
ALTER TABLE "new_Result" RENAME TO "Result";
CREATE INDEX "Result_publicityDue_idx" ON "Result"("publicityDue");
CREATE UNIQUE INDEX "Result_drawId_targetId_version_key" ON "Result"("drawId", "targetId", "version");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "RecusalRequest_drawId_targetId_inspectorId_idx" ON "RecusalRequest"("drawId", "targetId", "inspectorId");
