-- AlterTable
ALTER TABLE "Draw" ADD COLUMN "cancelledBy" TEXT;
ALTER TABLE "Draw" ADD COLUMN "revealedOn" TEXT;

